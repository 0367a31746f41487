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

fn with_site(f: impl FnOnce(&Site<'_>, &SearchIndex, &Similarity)) {
    let config = Config::default();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let site = crate::enrich::enrich(parse_all(), &config, today, false);
    let index = SearchIndex::build(&site).unwrap();
    let sim = compute(&site, Source::Index(&index)).unwrap();
    f(&site, &index, &sim)
}

fn ids<'a>(site: &'a Site<'_>, links: &[Link]) -> Vec<&'a str> {
    links
        .iter()
        .map(|l| site.postmortems[l.target].id.as_str())
        .collect()
}

#[test]
fn term_weights_are_tantivys_bm25_scores() {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
    use tantivy::schema::IndexRecordOption;
    with_site(|site, index, _| {
        let vectors = TermVectors::build(index, SIMILARITY_FIELDS, None, 0.2, 1000).unwrap();
        let searcher = index.searcher();
        let mut checked = 0;
        for term in ["certif", "expir", "renew", "ttl", "backoff"] {
            let clauses: Vec<(Occur, Box<dyn Query>)> = SIMILARITY_FIELDS
                .iter()
                .map(|&(name, boost)| {
                    let pos = crate::search::TEXT_FIELDS
                        .iter()
                        .position(|f| f.name == name)
                        .unwrap();
                    let t = tantivy::Term::from_field_text(index.text_fields[pos], term);
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
    };
    assert_eq!(
        link.reasons(),
        ["recurrence", "factor:dns", "service:checkout", "term:ttl"]
    );
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
fn analysed_texts_give_the_index_vectors_and_lists() {
    // `serve` weighs analysed texts rather than reading the index: the vectors must be exactly
    // those read out of the index (bit for bit), and so the lists and their reasons, also
    // with imported reports whose body stands in for the missing sections.
    let config = Config::default();
    let hl = Highlighter::new();
    let ctx = ParseContext {
        config: &config,
        highlighter: &hl,
    };
    let mut pms = parse_all();
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
    // A postmortem with the sections, whose impact (part of the body field) shares the bare
    // reports' words: the body's statistics cover every postmortem.
    let src = "+++\ntitle = \"Partner certificate lapse\"\ndate = 2024-02-01\nseverity = \"SEV3\"\n+++\n## Timeline\n\n- 10:00 UTC: Alerts fire.\n\n## Root cause and contributing factors\n\nA hostname fell outside automation.\n\n## Impact\n\nThe certificate expired after a manual renewal was missed; stale DNS records and a retired mailbox.\n";
    let (pm, diags) = parse_document(std::path::Path::new("content/z.md"), "full-d", src, &ctx);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    pms.push(pm.unwrap());
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let site = crate::enrich::enrich(pms, &config, today, false);
    assert!(site.postmortems.iter().any(is_bare));
    let index = SearchIndex::build(&site).unwrap();
    let analysed = analyse(&site, None);
    let params = Params::default();
    let (_, bare) = terms::plan_for(&site.postmortems, &params.fields);
    let fallback = Some((FALLBACK_FIELD.0, FALLBACK_FIELD.1, bare.as_slice()));
    let read = TermVectors::build(&index, &params.fields, fallback, 0.2, 1000).unwrap();
    let weighed = TermVectors::from_terms(&analysed.docs, &params.fields, fallback, 0.2, 1000);
    assert_eq!(read.terms, weighed.terms);
    assert_eq!(read.docs, weighed.docs);
    assert_eq!(read.postings, weighed.postings);
    assert!(read.docs.iter().all(|d| !d.is_empty()));
    assert_eq!(index.similarity_surface, analysed.surface());
    assert_eq!(
        read.display_words(&index.similarity_surface),
        analysed.display_words()
    );
    let full = compute(&site, Source::Index(&index)).unwrap();
    let small = compute(&site, Source::Analysed(&analysed)).unwrap();
    assert_eq!(full.links, small.links);
    assert!(full
        .links
        .iter()
        .any(|l| l.iter().any(|x| !x.terms.is_empty())));
    assert_eq!(full.class_of, small.class_of);
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
