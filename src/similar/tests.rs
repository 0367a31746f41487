//! Unit tests of the similarity pass over a small parsed archive.

use super::*;
use crate::config::Config;
use crate::content::document::{parse_document, ParseContext};
use crate::content::Highlighter;
use crate::model::Postmortem;

/// (id, date, factors, services, extra front matter, title, root cause)
const DOCS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    ("cert-a", "2022-03-14", "\"certificate-expiry\", \"alerting-gap\"", "\"api-gateway\"", "",
     "Public API down after the gateway TLS certificate expired",
     "The wildcard certificate was renewed by hand; the renewal reminder went to a retired mailbox, so the certificate expired."),
    ("dns-a", "2022-08-09", "\"dns\"", "\"cdn-edge\"", "",
     "DNS TTL change strands traffic on old load balancers",
     "A resolver cached the old records for the full TTL of two days after the zone migration."),
    ("cert-b", "2023-03-02", "\"certificate-expiry\"", "\"payments-webhook\"", "recurrence_of = [\"cert-a\"]\n",
     "Payment webhooks rejected after their TLS certificate expired",
     "The webhook certificate was renewed by hand and the renewal was missed, so the certificate expired again."),
    ("retry-a", "2023-09-12", "\"retry-storm\"", "\"auth\"", "similar_hidden = [\"dns-b\"]\n",
     "Auth retry storm after a slow token store",
     "Clients retried without backoff, multiplying load on the token store until it fell over."),
    ("dns-b", "2024-06-18", "\"dns\"", "\"cdn-edge\"", "similar_pinned = [\"retry-a\"]\n",
     "DNS record deleted by a terraform apply strands traffic",
     "A terraform plan removed the zone's records; resolvers kept serving the cached TTL then failed."),
    ("cert-c", "2025-01-20", "\"certificate-expiry\"", "\"api-gateway\"", "",
     "Gateway TLS certificate expired again on a partner hostname",
     "A partner hostname's certificate was outside the automated renewal, renewed by hand, and expired."),
];

fn parse_all() -> Vec<Postmortem> {
    let config = Config::default();
    let hl = Highlighter::new();
    let ctx = ParseContext {
        config: &config,
        highlighter: &hl,
    };
    DOCS.iter()
        .map(|(id, date, factors, services, extra, title, root)| {
            let src = format!(
                "+++\ntitle = \"{title}\"\ndate = {date}\nseverity = \"SEV2\"\nsummary = \"{title}.\"\nservices = [{services}]\ncontributing_factors = [{factors}]\n{extra}+++\n## Summary\n\n{title}.\n\n## Timeline\n\n- 10:00 UTC: Alerts fire.\n\n## Root cause and contributing factors\n\n{root}\n"
            );
            let (pm, diags) = parse_document(
                std::path::Path::new("content/x.md"),
                id,
                &src,
                &ctx,
            );
            assert!(diags.iter().all(|d| !d.is_error()), "{id}: {diags:?}");
            pm.unwrap()
        })
        .collect()
}

fn with_site(f: impl FnOnce(&Site<'_>, &terms::Analysed, &Similarity)) {
    let config = Config::default();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let site = crate::enrich::enrich(parse_all(), &config, today, false);
    let analysed = analyse(&site, None);
    let sim = compute(&site, &analysed, None).unwrap();
    f(&site, &analysed, &sim)
}

fn ids<'a>(site: &'a Site<'_>, links: &[Link]) -> Vec<&'a str> {
    links
        .iter()
        .map(|l| site.postmortems[l.target].id.as_str())
        .collect()
}

#[test]
fn term_weights_are_tantivys_bm25_scores() {
    // The vectors weigh each term as tantivy's BM25 scores it in an index of the same texts:
    // index the compared fields with the search analyzer, query each term in every field with
    // the field's weight, and compare the scores.
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
    with_site(|site, analysed, _| {
        let (_, bare) = terms::plan_for(&site.postmortems, SIMILARITY_FIELDS);
        let vectors =
            TermVectors::from_terms(&analysed.docs, SIMILARITY_FIELDS, None, 1.0, 1000, 1.0);
        assert!(bare.iter().all(|b| !b));
        let mut builder = Schema::builder();
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(crate::search::analyzer::ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields: Vec<_> = SIMILARITY_FIELDS
            .iter()
            .map(|(name, _)| builder.add_text_field(name, options.clone()))
            .collect();
        let index = tantivy::Index::create_in_ram(builder.build());
        index.tokenizers().register(
            crate::search::analyzer::ANALYZER,
            crate::search::analyzer::analyzer(),
        );
        let mut writer = index
            .writer_with_num_threads::<tantivy::TantivyDocument>(1, 50_000_000)
            .unwrap();
        for pm in &site.postmortems {
            let mut doc = tantivy::TantivyDocument::default();
            for ((name, _), field) in SIMILARITY_FIELDS.iter().zip(&fields) {
                doc.add_text(*field, terms::field_text(pm, name));
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let mut checked = 0;
        for term in ["certif", "expir", "renew", "ttl", "backoff"] {
            let clauses: Vec<(Occur, Box<dyn Query>)> = SIMILARITY_FIELDS
                .iter()
                .zip(&fields)
                .map(|(&(_, boost), field)| {
                    let t = tantivy::Term::from_field_text(*field, term);
                    let q: Box<dyn Query> = Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
                        boost,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            let query = BooleanQuery::new(clauses);
            let hits = searcher
                .search(&query, &TopDocs::with_limit(10).order_by_score())
                .unwrap();
            assert!(!hits.is_empty(), "{term}");
            for (score, addr) in hits {
                let ours = vectors.weight(addr.doc_id as usize, term);
                assert!(
                    (ours - score).abs() <= 1e-5 * score.max(1.0),
                    "{term} in {}: ours {ours}, tantivy {score}",
                    site.postmortems[addr.doc_id as usize].id
                );
                checked += 1;
            }
        }
        assert!(checked >= 8, "{checked}");
    });
}

#[test]
fn similar_incidents_come_with_reasons() {
    with_site(|site, _, sim| {
        let a = site.by_id["cert-a"];
        let list = &sim.links[a];
        // The explicit recurrence first (a later incident), then the other expiry.
        assert_eq!(ids(site, list)[..2], ["cert-b", "cert-c"], "{list:?}");
        assert_eq!(list[0].kind, LinkKind::Recurrence);
        assert!(list[0].later);
        let c = &list[1];
        assert_eq!(c.kind, LinkKind::Computed);
        assert!(c.later);
        assert_eq!(c.factors, ["certificate-expiry"]);
        assert_eq!(c.services, ["api-gateway"]);
        assert!(
            c.terms.iter().any(|t| t.starts_with("certif")),
            "{:?}",
            c.terms
        );
        assert!(c.score > list.last().unwrap().score || list.len() == 2);
        // And back: the later one lists the earlier as what it repeats.
        let b = site.by_id["cert-b"];
        let back = &sim.links[b][0];
        assert_eq!(
            (back.target, back.kind, back.later),
            (a, LinkKind::Recurrence, false)
        );
        // Scores are symmetric.
        let cc = site.by_id["cert-c"];
        let there = sim.links[a].iter().find(|l| l.target == cc).unwrap().score;
        let back = sim.links[cc].iter().find(|l| l.target == a).unwrap().score;
        assert_eq!(there, back);
    });
}

#[test]
fn pins_and_hides_work_both_ways() {
    with_site(|site, _, sim| {
        let retry = site.by_id["retry-a"];
        let dns_b = site.by_id["dns-b"];
        let dns_a = site.by_id["dns-a"];
        // dns-b pins retry-a, and retry-a hides dns-b: the pin wins for that pair, shown
        // on both pages.
        assert!(sim.links[dns_b]
            .iter()
            .any(|l| l.target == retry && l.kind == LinkKind::Pinned));
        assert!(sim.links[retry]
            .iter()
            .any(|l| l.target == dns_b && l.kind == LinkKind::Pinned));
        // The two DNS incidents find each other.
        assert!(sim.links[dns_a]
            .iter()
            .any(|l| l.target == dns_b && l.kind == LinkKind::Computed));
    });
}

#[test]
fn classes_join_explicit_and_strong_links() {
    with_site(|site, _, sim| {
        let a = site.by_id["cert-a"];
        let class = &sim.classes[sim.class_of[a].unwrap()];
        assert_eq!(class.id, "cert-a", "named after its first incident");
        let members: Vec<&str> = class
            .members
            .iter()
            .map(|&m| site.postmortems[m].id.as_str())
            .collect();
        assert!(members.starts_with(&["cert-a", "cert-b"]), "{members:?}");
        assert_eq!(class.factors[0], "certificate-expiry");
        assert!(class.explicit);
        // Everyone in a class points back at it.
        for &m in &class.members {
            assert_eq!(sim.class_of[m], sim.class_of[a]);
        }
    });
}

#[test]
fn rarity_weighs_rare_values_more() {
    let lists: Vec<Vec<String>> = vec![
        vec!["common".into(), "rare".into()],
        vec!["common".into(), "rare".into()],
        vec!["common".into()],
        vec!["common".into()],
        vec!["common".into(), "other".into()],
        vec![],
    ];
    let f = Field::new(lists.iter().map(Vec::as_slice));
    let w = |name: &str| f.weight[f.names.iter().position(|n| n == name).unwrap()];
    assert!(w("rare") > w("common"));
    assert_eq!(f.similarity(2, 3), 1.0, "identical sets are fully similar");
    assert_eq!(f.similarity(0, 1), 1.0);
    assert_eq!(f.shared_names(0, 1), ["rare", "common"], "rarest first");
    let partial = f.similarity(0, 2);
    assert!(partial > 0.0 && partial < 0.5, "{partial}");
    assert_eq!(f.shared_names(0, 2), ["common"]);
    assert_eq!(f.similarity(1, 5), 0.0);
    assert!(f.shared_names(1, 5).is_empty());
    assert_eq!(f.similarity(0, 4), f.similarity(4, 0), "symmetric");
}

#[test]
fn reasons_read_like_filters() {
    let link = Link {
        target: 1,
        score: 0.5,
        kind: LinkKind::Recurrence,
        later: true,
        factors: vec!["dns".into()],
        services: vec!["checkout".into()],
        tags: vec![],
        terms: vec!["ttl".into()],
        chained: false,
        semantic: None,
    };
    assert_eq!(
        link.reasons(),
        ["recurrence", "factor:dns", "service:checkout", "term:ttl"]
    );
    let with_model = Link {
        semantic: Some(0.834),
        ..link
    };
    assert_eq!(with_model.reasons().last().unwrap(), "semantic:0.83");
}

#[test]
fn accumulator_ranks_and_resets() {
    let mut acc = Accumulator::new(5);
    acc.add(3, 1.0);
    acc.add(1, 2.0);
    acc.add(3, 1.5);
    acc.add(0, 9.0);
    assert_eq!(acc.take_top(2, 0), [3, 1]);
    assert!(acc.scores.iter().all(|&s| s == 0.0));
    assert!(acc.take_top(2, 0).is_empty());
}

#[test]
fn imported_reports_are_compared_on_their_body() {
    // Reports without the standard sections (an imported archive) are compared on their body:
    // two certificate expiries written as plain prose find each other, not the DNS one.
    let config = Config::default();
    let hl = Highlighter::new();
    let ctx = ParseContext {
        config: &config,
        highlighter: &hl,
    };
    let mut pms = Vec::new();
    for (id, text) in [
        ("bare-a", "The gateway certificate expired because renewal was manual and the reminder went to a retired mailbox."),
        ("bare-b", "Resolvers cached stale DNS records for the whole TTL after the zone moved."),
        ("bare-c", "A manual certificate renewal was missed and the partner certificate expired."),
    ] {
        let src = format!("+++\ntitle = \"Imported {id}\"\ndate = 2024-01-0{}\nseverity = \"SEV3\"\n+++\n{text}\n", id.len() % 9 + 1);
        let (pm, diags) = parse_document(std::path::Path::new("content/y.md"), id, &src, &ctx);
        assert!(diags.iter().all(|d| !d.is_error()), "{id}: {diags:?}");
        pms.push(pm.unwrap());
    }
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let site = crate::enrich::enrich(pms, &config, today, false);
    assert!(site.postmortems.iter().all(is_bare));
    let sim = compute(&site, &analyse(&site, None), None).unwrap();
    let a = site.by_id["bare-a"];
    assert_eq!(ids(&site, &sim.links[a]), ["bare-c"], "{:?}", sim.links[a]);
    assert!(sim.links[a][0]
        .terms
        .iter()
        .any(|t| t.starts_with("certif")));
}

#[test]
fn a_shared_owner_never_makes_incidents_similar_by_itself() {
    // Two incidents of one service whose failures have nothing in common, and an incident of
    // another service with the same failure: the service's name, all over both texts, links
    // neither pair; the same failure does, across services.
    let config = Config::default();
    let hl = Highlighter::new();
    let ctx = ParseContext {
        config: &config,
        highlighter: &hl,
    };
    let doc = |id: &str, service: &str, title: &str, root: &str| {
        let src = format!("+++\ntitle = \"{title}\"\ndate = 2024-03-0{}\nseverity = \"SEV2\"\nsummary = \"{title}.\"\nservices = [\"{service}\"]\n+++\n## Summary\n\n{title}.\n\n## Timeline\n\n- 10:00 UTC: {service} paged on-call ({id}).\n\n## Root cause and contributing factors\n\n{root}\n", id.len() % 9 + 1);
        let (pm, diags) = parse_document(std::path::Path::new("content/o.md"), id, &src, &ctx);
        assert!(diags.iter().all(|d| !d.is_error()), "{id}: {diags:?}");
        pm.unwrap()
    };
    let pms = vec![
        doc("ledger-disk", "Ledger", "Ledger writes stall as the Ledger volume fills", "The Ledger volume filled with Ledger audit logs; Ledger writes stalled until Ledger logs were rotated."),
        doc("ledger-cert", "Ledger", "Ledger partner calls fail on an expired certificate", "The Ledger client certificate expired; renewal of Ledger credentials was manual."),
        doc("search-cert", "Search", "Search crawler rejected after its certificate expired", "The crawler's client certificate expired because its renewal was manual."),
        doc("other-dns", "Edge", "Resolvers serve stale records after a zone move", "Cached records outlived the zone migration for the whole TTL."),
    ];
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let site = crate::enrich::enrich(pms, &config, today, false);
    let sim = compute(&site, &analyse(&site, None), None).unwrap();
    let cert = site.by_id["ledger-cert"];
    let list = ids(&site, &sim.links[cert]);
    assert_eq!(list.first(), Some(&"search-cert"), "{:?}", sim.links[cert]);
    assert!(!list.contains(&"ledger-disk"), "{:?}", sim.links[cert]);
    let disk = site.by_id["ledger-disk"];
    assert!(
        !ids(&site, &sim.links[disk]).contains(&"ledger-cert"),
        "{:?}",
        sim.links[disk]
    );
    // The owner's name is not a reason.
    assert!(sim.links[cert][0].terms.iter().all(|t| t != "ledger"));
}

#[test]
fn explicit_links_calibrate_the_metadata() {
    // Where authors' explicit links join incidents of one service, services count as strong
    // evidence; where they join incidents across services, as weak.
    let lists: Vec<Vec<String>> = (0..40).map(|i| vec![format!("svc-{}", i / 2)]).collect();
    let services = Field::new(lists.iter().map(Vec::as_slice));
    let none: Vec<Vec<String>> = vec![Vec::new(); 40];
    let empty = Field::new(none.iter().map(Vec::as_slice));
    let base = Params::default();
    let same: Vec<(usize, usize)> = (0..20).map(|i| (2 * i, 2 * i + 1)).collect();
    let across: Vec<(usize, usize)> = (0..19).map(|i| (2 * i, 2 * i + 3)).collect();
    let strong = calibrate::calibrate(&base, [&empty, &services, &empty], &same, 40);
    let weak = calibrate::calibrate(&base, [&empty, &services, &empty], &across, 40);
    let no_links = calibrate::calibrate(&base, [&empty, &services, &empty], &[], 40);
    assert!(strong.evidence[1] > 0.4, "{:?}", strong.evidence);
    assert!(strong.owner_weight > 0.4, "{}", strong.owner_weight);
    assert!(
        weak.evidence[1] <= base.evidence[1] + 1e-6,
        "{:?}",
        weak.evidence
    );
    assert!(weak.owner_weight <= 0.05, "{}", weak.owner_weight);
    assert_eq!(no_links.evidence, base.evidence);
    assert_eq!(no_links.owner_weight, base.owner_weight);
}

#[test]
fn the_terms_cache_analyses_only_what_changed() {
    // `serve` keeps each postmortem's analysis: a rebuild after one edit analyses that one
    // again, reuses the others, and gives what analysing everything afresh gives.
    let config = Config::default();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let cache = TermsCache::default();
    let before = crate::enrich::enrich(parse_all(), &config, today, false);
    let first = analyse(&before, Some(&cache));
    assert_eq!(cache.len(), before.postmortems.len());
    let mut pms = parse_all();
    let edited = pms.iter().position(|p| p.id == "dns-a").unwrap();
    pms[edited].title = "DNS TTL change strands traffic on retired load balancers".into();
    pms.retain(|p| p.id != "retry-a");
    let site = crate::enrich::enrich(pms, &config, today, false);
    let second = analyse(&site, Some(&cache));
    assert_eq!(
        cache.len(),
        site.postmortems.len(),
        "a removed postmortem is forgotten"
    );
    let fresh = analyse(&site, None);
    for (i, pm) in site.postmortems.iter().enumerate() {
        assert_eq!(*second.docs[i], *fresh.docs[i], "{}", pm.id);
        let kept = &first.docs[before.by_id[&pm.id]];
        assert_eq!(
            std::sync::Arc::ptr_eq(&second.docs[i], kept),
            pm.id != "dns-a",
            "{}: reused exactly when unchanged",
            pm.id
        );
    }
    assert_eq!(second.surface(), fresh.surface());
    let words = second.surface();
    assert!(words.contains_key("retired") && words.contains_key("balancers"));
}
