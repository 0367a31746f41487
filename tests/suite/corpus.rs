//! An archive of another shape builds through configuration alone: the public postmortems
//! corpus (YAML front matter, other field names, undated files, no sections).

use crate::harness::{pmarchive, real_corpus, repo, Built};

#[test]
fn public_postmortems_build_through_configuration_alone() {
    let Some(corpus) = real_corpus("public_postmortems_build_through_configuration_alone") else {
        return;
    };
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("site");
    let root = repo().join("tests/fixtures/public-postmortems");
    let result = pmarchive(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--today",
        "2026-11-01",
    ]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    // Zero errors (the real prose may still earn a language warning).
    assert!(!stderr.contains("error["), "{stderr}");
    let built = Built::read(&out);
    let mut files = 0;
    let mut undated_ids: Vec<String> = Vec::new();
    for e in std::fs::read_dir(&corpus).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files += 1;
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                built.has(&format!("postmortems/{id}/index.html")),
                "{id} has no page"
            );
            let text = std::fs::read_to_string(&p).unwrap();
            let front = text.split("\n---").next().unwrap();
            if !front.contains("\nstart_time:") && !front.contains("\nsource_published_at:") {
                undated_ids.push(id);
            }
        }
    }
    assert_eq!(files, 118);
    // Undated postmortems get their own listing rather than an error.
    assert_eq!(undated_ids.len(), 20);
    let undated = built.text("years/undated/index.html");
    for id in &undated_ids {
        assert!(
            undated.contains(&format!("postmortems/{id}/")),
            "{id} not in the undated listing"
        );
    }
    // Categories became factor pages, keywords tags, company and product services.
    assert!(built.has("factors/config-change/index.html"));
    assert!(built.has("factors/cascading-failure/index.html"));
    assert!(built.has("services/amazon/index.html"));
    assert!(built.has("services/simpledb/index.html"));
    assert!(built.has("tags/lock-service/index.html"));
    // Files without a title take one from the company and product.
    assert!(
        built.broken_links().is_empty(),
        "{:?}",
        built.broken_links()
    );
}
