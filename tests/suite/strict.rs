//! Strict schema everywhere: unknown keys in the nested tables (`[timing]`, `[impact]`,
//! `[[action_items]]`) are `schema/unknown-field` with the nearest known key, and a number or
//! table where a list of names is expected is `schema/type`, in TOML and YAML front matter.

use crate::check::{check_json, rules, CLEAN};
use crate::harness::Site;

/// (rule, line, column, suggestion) of every diagnostic.
fn found(diags: &[serde_json::Value]) -> Vec<(String, u64, u64, String)> {
    diags
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["suggestion"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.starts_with(needle)).unwrap() as u64 + 1
}

/// 1-based column of the value on the line that starts with `needle` (where key diagnostics
/// point, as for top-level fields).
fn value_column(text: &str, needle: &str) -> u64 {
    let line = text.lines().find(|l| l.starts_with(needle)).unwrap();
    let sep = line.find(['=', ':']).unwrap();
    let value = sep + 1 + line[sep + 1..].len() - line[sep + 1..].trim_start().len();
    value as u64 + 1
}

fn one(name: &str, text: &str) -> Site {
    let site = Site::empty();
    site.write(&format!("content/{name}"), text);
    site
}

#[test]
fn typos_in_nested_tables_are_reported_with_the_nearest_key_in_toml() {
    let text = CLEAN
        .replace("detected = ", "detcted = ")
        .replace(
            "published = 2025-02-06\n",
            "published = 2025-02-06\n\n[impact]\nusers_afected = 12000\n",
        )
        .replace("owner = \"payments-infra\"", "ownr = \"payments-infra\"")
        .replace(
            "closed = 2025-02-15\n",
            "closed = 2025-02-15\nassignee_team = \"x\"\n",
        );
    let site = one("a.md", &text);
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 0, "warnings only: {diags:?}");
    let got = found(&diags);
    for (key, near) in [
        ("detcted", "did you mean `detected`?"),
        ("users_afected", "did you mean `users_affected`?"),
        ("ownr", "did you mean `owner`?"),
        ("assignee_team", ""),
    ] {
        let want = (
            "schema/unknown-field".to_string(),
            line_of(&text, key),
            value_column(&text, key),
            near.to_string(),
        );
        assert!(got.contains(&want), "{key}: {got:?}");
    }
    let messages: Vec<&str> = diags
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"unknown key `detcted` in `[timing]`"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"unknown key `ownr` in action item 1"),
        "{messages:?}"
    );
    // The rule's level applies to them as to top-level fields.
    site.write(
        "pmarchive.toml",
        "[check.rules]\n\"schema/unknown-field\" = \"error\"\n",
    );
    assert_eq!(check_json(&site, &[]).0, 1);
    site.write(
        "pmarchive.toml",
        "[check.rules]\n\"schema/unknown-field\" = \"off\"\n",
    );
    let (_, diags) = check_json(&site, &[]);
    assert!(
        !rules(&diags).iter().any(|r| r.0 == "schema/unknown-field"),
        "{diags:?}"
    );
}

#[test]
fn typos_in_nested_tables_are_reported_in_yaml() {
    let text = "---\ntitle: Checkout errors\ndate: 2025-02-03T14:02:00Z\nseverity: SEV2\nsummary: Checkout failed.\nservices: [checkout]\ntiming:\n  detected: 2025-02-03T14:09:00Z\n  resolvd: 2025-02-03T14:40:00Z\nimpact:\n  requests_faild: 3\naction_items:\n  - id: AI-1\n    title: Replay peak batch sizes in the load test\n    owner: payments\n    due: 2025-02-17\n    status: done\n    closed: 2025-02-15\n    priorty: P1\n---\n## Summary\n\nx\n";
    let site = one("a.md", text);
    site.write("pmarchive.toml", "[check.rules]\ntemplate = \"off\"\n");
    let (_, diags) = check_json(&site, &[]);
    let got = found(&diags);
    for (key, near) in [
        ("  resolvd", "did you mean `resolved`?"),
        ("  requests_faild", "did you mean `requests_failed`?"),
        ("    priorty", "did you mean `priority`?"),
    ] {
        let want = (
            "schema/unknown-field".to_string(),
            line_of(text, key),
            value_column(text, key),
            near.to_string(),
        );
        assert!(got.contains(&want), "{key}: {got:?}");
    }
}

#[test]
fn keys_taken_by_field_aliases_are_not_unknown() {
    let text = CLEAN.replace("detected = ", "detected_at = ");
    let site = one("a.md", &text);
    site.write(
        "pmarchive.toml",
        "[fields]\n\"timing.detected\" = \"timing.detected_at\"\n",
    );
    let (code, diags) = check_json(&site, &[]);
    assert_eq!((code, diags.len()), (0, 0), "{diags:?}");
}

#[test]
fn numbers_and_tables_where_names_are_expected_are_type_errors() {
    for (text, key) in [
        (CLEAN.replace("services = [\"checkout\"]", "services = 42"), "services"),
        (
            CLEAN.replace("services = [\"checkout\"]", "services = { name = \"checkout\" }"),
            "services",
        ),
        (
            CLEAN.replace("services = [\"checkout\"]", "services = [\"checkout\"]\nteams = [{ name = \"payments\" }]"),
            "teams",
        ),
        (
            CLEAN.replace("[timing]\n", "timing = 2025\n[timing2]\n"),
            "timing",
        ),
        (
            "---\ntitle: T\ndate: 2025-02-03\nseverity: SEV2\nsummary: S\nservices: 42\n---\nx\n".to_string(),
            "services",
        ),
        (
            "---\ntitle: T\ndate: 2025-02-03\nseverity: SEV2\nsummary: S\nservices: [checkout]\ntags:\n  deploy: true\n---\nx\n".to_string(),
            "tags",
        ),
    ] {
        let site = one("a.md", &text);
        let (code, diags) = check_json(&site, &[]);
        assert_eq!(code, 1, "{key}: {diags:?}");
        let want = ("schema/type".to_string(), line_of(&text, key), "error".to_string());
        assert!(rules(&diags).contains(&want), "{key}: {diags:?}");
    }
}

#[test]
fn a_single_name_stays_a_list_of_one() {
    let text = CLEAN.replace("services = [\"checkout\"]", "services = \"checkout\"");
    let site = one("a.md", &text);
    let (code, diags) = check_json(&site, &["--strict"]);
    assert_eq!((code, diags.len()), (0, 0), "{diags:?}");
    let built = site.build_ok(&[]);
    assert!(built.has("services/checkout/index.html"));
}
