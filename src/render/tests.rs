use super::*;
use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::config::Config;
use crate::content::document::{parse_document, ParseContext};
use crate::similar::{self, Similarity};

/// Three incidents, the second a recurrence of the first, each with an action item.
pub(crate) fn site_docs(config: &Config) -> Vec<crate::model::Postmortem> {
    let hl = Highlighter::new();
    let ctx = ParseContext {
        config,
        highlighter: &hl,
    };
    [
        ("cert-a", "2022-03-14", "", "Gateway TLS certificate expired"),
        ("cert-b", "2023-03-02", "recurrence_of = [\"cert-a\"]\n", "Webhook TLS certificate expired"),
        ("dns-a", "2024-06-18", "", "DNS records deleted by a terraform apply"),
    ]
    .iter()
    .map(|(id, date, extra, title)| {
        let src = format!(
            "+++\ntitle = \"{title}\"\ndate = {date}\nseverity = \"SEV2\"\nsummary = \"{title}.\"\nservices = [\"gateway\"]\ncontributing_factors = [\"certificate-expiry\"]\n{extra}[[action_items]]\nid = \"AI-1\"\ntitle = \"Alert 30 days before {title}\"\nowner = \"sre\"\ndue = 2022-05-01\nstatus = \"open\"\n+++\n## Summary\n\n{title}.\n\n## Root cause and contributing factors\n\nThe certificate of {title} was renewed by hand.\n"
        );
        let (pm, diags) = parse_document(std::path::Path::new("content/x.md"), id, &src, &ctx);
        assert!(diags.iter().all(|d| !d.is_error()), "{id}: {diags:?}");
        pm.unwrap()
    })
    .collect()
}

fn files(renderer: &Renderer<'_>, part: Part) -> BTreeMap<String, Vec<u8>> {
    let out = Mutex::new(BTreeMap::new());
    renderer
        .render_part(part, &|f| {
            let again = out.lock().unwrap().insert(f.path.clone(), f.contents);
            assert!(again.is_none(), "{} made twice", f.path);
            Ok(())
        })
        .unwrap();
    out.into_inner().unwrap()
}

#[test]
fn the_unlinked_part_reads_no_similarity_and_the_two_parts_make_the_site() {
    // `build` renders the unlinked part before similarity is known: none of its files may
    // depend on it, and together with the linked part it must be the whole site.
    let config = Config::default();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let site = crate::enrich::enrich(site_docs(&config), &config, today, false);
    let analysed = similar::analyse(&site, None);
    let similarity = similar::compute(&site, &analysed, None).unwrap();
    assert!(!similarity.classes.is_empty() && similarity.links.iter().any(|l| !l.is_empty()));
    let theme = Theme::of_site(std::path::Path::new("/nonexistent-site")).unwrap();
    let empty = Similarity::NONE;
    let unlinked = files(&Renderer::new(&site, &theme, &similarity), Part::Unlinked);
    let first = Renderer::new(&site, &theme, &empty);
    assert_eq!(files(&first, Part::Unlinked), unlinked);
    assert!(unlinked.contains_key("actions/index.html") && unlinked.contains_key("index.html"));
    let linked = files(&Renderer::new(&site, &theme, &similarity), Part::Linked);
    // As `build` does: the renderer of the unlinked part, its rows forgotten, given the
    // lists, renders the linked part with the cards it has made (recurring classes list
    // them).
    first.forget_unlinked();
    let second = first.with_similarity(&similarity);
    assert!(Arc::ptr_eq(&first.fragments, &second.fragments));
    assert_eq!(files(&second, Part::Linked), linked);
    assert!(linked.contains_key("postmortems/cert-b/index.html"));
    let all = files(&Renderer::new(&site, &theme, &similarity), Part::All);
    let mut parts = unlinked;
    for (path, bytes) in linked {
        assert!(
            parts.insert(path.clone(), bytes).is_none(),
            "{path} in both parts"
        );
    }
    assert_eq!(parts, all);
}

#[test]
fn roots() {
    assert_eq!(root_prefix(""), "");
    assert_eq!(root_prefix("postmortems/a/"), "../../");
    assert_eq!(root_prefix("factors/dns/atom.xml"), "../../");
}
