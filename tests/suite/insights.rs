//! Archive insights on a hand-made archive (`tests/fixtures/insights/`), built as of
//! 2025-11-30 (a Sunday; `stale_days` = 182): `api/insights.json`, `api/actions.json`,
//! `/actions/` and `/insights/`, with every figure worked out by hand below.
//!
//! The archive (published unless noted; P = priority, "bd" = business days):
//!
//! | id | date | sev | factors | notes |
//! | --- | --- | --- | --- | --- |
//! | P1 `2024-07-15-dns-outage` | Mon 2024-07-15 10:00 | SEV2 | dns, config-change | published Fri 07-19: 4 days, 4 bd; detect 10 min, mitigate 30, resolve 60 |
//! | P2 `2024-08-20-search-near-miss` | 2024-08-20 | SEV4 | dns | near miss; no items; no timing |
//! | (2024-Q4: no incident) | | | | |
//! | P3 `2025-01-10-dns-again` | Fri 2025-01-10 08:00 | SEV1 | dns | recurrence of P1; published Mon 01-20: 10 days, 6 bd; detect 20, mitigate 60, resolve 120 |
//! | P4 `2025-02-14-disk-full` | Fri 2025-02-14 12:00 | SEV2 | capacity-planning | published Fri 02-21: 7 days, 5 bd; detect 30, resolve 120 |
//! | P5 `2025-05-05-cert-near-miss` | Mon 2025-05-05 | SEV3 | certificate-expiry | near miss; recurrence of a restricted one (dropped: not a recurrence); published Tue 05-06: 1 day, 1 bd; detect 5 |
//! | (2025-Q3: no incident) | | | | |
//! | P6 `2025-10-06-rate-limit` | Mon 2025-10-06 15:00 | SEV2 | config-change | not yet published; resolve 45 |
//! | U `undated-legacy-outage` | undated | SEV3 | dns | in the totals, in no quarter |
//! | R restricted (ZEBRAFISH), D draft (KUMQUAT) | | | | both name P1 in `recurrence_of`, both have items: never counted |
//!
//! Action items (due ≤ today = in the on-time denominator; stale = open and incident > 182 days ago):
//!
//! | item | status | due | closed | P | due ≤ today | on time | overdue | stale |
//! | --- | --- | --- | --- | --- | --- | --- | --- | --- |
//! | P1 AI-1 | done | 2024-07-30 | 2024-07-25 | P1 | yes | yes | | |
//! | P1 AI-2 | done | 2024-08-01 | 2024-08-10 | P2 | yes | no (late) | | |
//! | P1 AI-3 | open | 2024-09-01 | | P3 | yes | | yes | yes (503 days) |
//! | P3 AI-1 | done | 2025-01-15 | 2025-01-15 (the due date: on time) | P0 | yes | yes | | |
//! | P3 AI-2 | in-progress | none | | P1 | | | | yes (324) |
//! | P3 AI-3 | wontfix | 2025-02-01 | 2025-01-30 | P1 | yes | no (not done) | | |
//! | P4 AI-1 | open | 2026-01-31 | | P2 | | | | yes (289) |
//! | P4 AI-2 | done | 2026-03-01 | 2025-03-01 | P2 | no | yes (counted in done_on_time, not in the rate) | | |
//! | P5 AI-1 | open | 2025-06-01 | | P1 | yes | | yes | yes (209) |
//! | P6 AI-1 | in-progress | 2025-10-20 | | P1 | yes | | yes | no (55) |
//! | P6 AI-2 | open | 2025-12-15 | | none (no kind) | | | | no |
//! | P6 AI-3 | open | 2025-11-30 (today: due, not overdue) | | P3 | yes | | no | no |
//! | U AI-1 | done | 2024-06-01 | 2024-05-20 | P1 | yes | yes | | |
//!
//! Document quality (`[insights] template_target = 0.75`) and participation breadth (`min_roles`
//! 3 by default; `[roles.aliases]` folds `IC` and `incident lead` into `incident commander`):
//!
//! | pm | reviewers | what `check` finds | consistent | participants' roles | distinct | ≥ 3 |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | P1 | lee | nothing | yes | SRE, Incident commander, sre, IC | 2 | no |
//! | P2 | none | nothing | no (no reviewer) | not recorded | | |
//! | P3 | kim | AI-2 has no due date | no (action-item/due) | SRE, ic, Network engineer, Support | 4 | yes |
//! | P4 | lee, kim | no Lessons learned | no (template/missing-section) | `Storage  Engineer`, storage engineer, Incident Lead, Product manager | 3 | yes |
//! | P5 | ana | nothing | yes | SRE | 1 | no |
//! | P6 | none | no detection in the timeline | no (both) | not recorded | | |
//! | U | lee | no detection, allowed by its `lint_allow` | yes | SRE, DBA, Support, Incident commander, Comms | 5 | yes |
//! | R, D | named | | never counted | 4 and 3 roles | | |

use serde_json::Value;

use crate::harness::{copy_dir, repo, Built, Site};

fn built() -> Built {
    let site = Site::empty();
    copy_dir(&repo().join("tests/fixtures/insights"), site.root());
    site.build_ok(&[])
}

fn json(built: &Built, path: &str) -> Value {
    serde_json::from_str(&built.text(path)).unwrap()
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
}

/// Asserts `obj[key]` is the number `want`, or null for `None`.
#[track_caller]
fn num(obj: &Value, key: &str, want: Option<f64>) {
    let v = &obj[key];
    match want {
        Some(w) => assert!(close(v, w), "{key}: {v} != {w} in {}", obj["quarter"]),
        None => assert!(
            v.is_null(),
            "{key}: {v} should be null in {}",
            obj["quarter"]
        ),
    }
}

#[track_caller]
fn int(obj: &Value, key: &str, want: u64) {
    assert_eq!(obj[key].as_u64(), Some(want), "{key} in {}", obj["quarter"]);
}

#[test]
fn overall_figures_match_the_hand_computed_answers() {
    let built = built();
    let ins = json(&built, "api/insights.json");
    assert_eq!(ins["as_of"], "2025-11-30");
    assert_eq!(ins["undated_postmortems"], 1);
    let o = &ins["overall"];
    // P1..P6 and U; R (restricted) and D (draft) never count.
    int(o, "postmortems", 7);
    int(o, "near_misses", 2); // P2, P5
    num(o, "near_miss_share", Some(2.0 / 7.0));
    int(o, "recurrences", 1); // P3 (P5's target is restricted, so dropped)
    num(o, "recurrence_rate", Some(1.0 / 7.0));
    int(o, "action_items", 13); // 3 + 0 + 3 + 2 + 1 + 3 + 1
    int(o, "action_items_open", 7);
    int(o, "action_items_done", 5); // P1 AI-1, AI-2, P3 AI-1, P4 AI-2, U AI-1
    int(o, "action_items_wontfix", 1);
    int(o, "action_items_done_on_time", 4); // all done but P1 AI-2
    int(o, "action_items_due", 9); // P1 x3, P3 AI-1, AI-3, P5, P6 AI-1, AI-3 (due today), U
    int(o, "action_items_due_done_on_time", 3); // P1 AI-1, P3 AI-1, U AI-1
    int(o, "action_items_without_due", 1); // P3 AI-2
    int(o, "action_items_overdue", 3); // P1 AI-3, P5 AI-1, P6 AI-1 (not P6 AI-3, due today)
    int(o, "action_items_stale", 4); // P1 AI-3, P3 AI-2, P4 AI-1, P5 AI-1
    num(o, "completion_on_time_rate", Some(3.0 / 9.0));
    // Publishing: P1 4 d / 4 bd, P3 10 / 6, P4 7 / 5, P5 1 / 1 (P2, P6 unpublished, U undated).
    int(o, "postmortems_with_publish_date", 4);
    num(o, "median_days_to_publish", Some(5.5)); // 1 4 | 7 10
    num(o, "median_business_days_to_publish", Some(4.5)); // 1 4 | 5 6
                                                          // Under 5 business days: P1, P5.
    int(o, "published_within_target", 2);
    // First P0/P1 closed: P1 10 days (AI-1, 07-25), P3 5 days (AI-1, 01-15; AI-3 later);
    // P5, P6 have none closed; U is undated.
    int(o, "postmortems_with_high_priority_closed", 2);
    num(o, "median_days_to_close_first_high_priority", Some(7.5));
    num(o, "mean_minutes_to_detect", Some(16.25)); // (10 + 20 + 30 + 5) / 4
    num(o, "median_minutes_to_detect", Some(15.0)); // 5 10 | 20 30
    num(o, "mean_minutes_to_mitigate", Some(45.0)); // (30 + 60) / 2
    num(o, "median_minutes_to_mitigate", Some(45.0));
    num(o, "mean_minutes_to_resolve", Some(86.25)); // (60 + 120 + 120 + 45) / 4
    num(o, "median_minutes_to_resolve", Some(90.0)); // 45 60 | 120 120
    assert_eq!(
        o["by_severity"],
        serde_json::json!({"SEV1": 1, "SEV2": 3, "SEV3": 2, "SEV4": 1})
    );
    assert_eq!(
        o["by_factor"],
        serde_json::json!({"capacity-planning": 1, "certificate-expiry": 1, "config-change": 2, "dns": 4}),
        "the restricted postmortem's secret-leak factor does not appear"
    );
}

#[test]
fn document_quality_and_participation_breadth_match_the_hand_computed_answers() {
    let built = built();
    let ins = json(&built, "api/insights.json");
    let o = &ins["overall"];
    int(o, "reviewed", 5); // P1, P3, P4, P5, U
    int(o, "template_consistent", 3); // P1, P5, U
    num(o, "template_consistent_share", Some(3.0 / 7.0));
    assert_eq!(
        o["template_misses"],
        serde_json::json!({
            "action-item/due": 1,
            "action-item/owner": 0,
            "action-item/status": 0,
            "no-reviewer": 2,
            "template/empty-section": 0,
            "template/missing-section": 1,
            "template/timeline-detection": 1,
            "template/timeline-timestamps": 0,
        })
    );
    int(o, "participation_recorded", 5); // P1, P3, P4, P5, U
    int(o, "participation_not_recorded", 2); // P2, P6
    int(o, "participation_min_roles", 3); // P3 (4), P4 (3), U (5)
    num(o, "participation_min_roles_share", Some(3.0 / 5.0));
    num(o, "median_roles", Some(3.0)); // 1 2 3 4 5

    // Per quarter: 2024-Q3 (P1, P2), 2024-Q4, 2025-Q1 (P3, P4), 2025-Q2 (P5), 2025-Q3, 2025-Q4 (P6).
    let qs = ins["quarters"].as_array().unwrap();
    let want = [
        // consistent, share, recorded, not recorded, ≥ 3 roles, share, median roles
        (1, Some(0.5), 1, 1, 0, Some(0.0), Some(2.0)),
        (0, None, 0, 0, 0, None, None),
        (0, Some(0.0), 2, 0, 2, Some(1.0), Some(3.5)),
        (1, Some(1.0), 1, 0, 0, Some(0.0), Some(1.0)),
        (0, None, 0, 0, 0, None, None),
        (0, Some(0.0), 0, 1, 0, None, None),
    ];
    assert_eq!(qs.len(), want.len());
    for (q, w) in qs.iter().zip(want) {
        int(q, "template_consistent", w.0);
        num(q, "template_consistent_share", w.1);
        int(q, "participation_recorded", w.2);
        int(q, "participation_not_recorded", w.3);
        int(q, "participation_min_roles", w.4);
        num(q, "participation_min_roles_share", w.5);
        num(q, "median_roles", w.6);
    }
    assert_eq!(qs[2]["template_misses"]["action-item/due"], 1);
    assert_eq!(qs[2]["template_misses"]["template/missing-section"], 1);
    assert_eq!(qs[5]["template_misses"]["no-reviewer"], 1);
    assert_eq!(qs[5]["template_misses"]["template/timeline-detection"], 1);

    let metrics = ins["metrics"].as_array().unwrap();
    let m = |key: &str| metrics.iter().find(|m| m["key"] == key).unwrap().clone();
    let verdicts = |m: &Value| -> Vec<Value> {
        m["quarters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["meets_target"].clone())
            .collect()
    };
    let (t, f, n) = (Value::Bool(true), Value::Bool(false), Value::Null);
    let quality = m("template_consistent_share");
    assert_eq!(quality["target_text"], "at least 75%", "from [insights]");
    assert_eq!(
        quality["target"],
        serde_json::json!({"kind": "at_least", "value": 0.75})
    );
    assert!(close(&quality["overall"], 3.0 / 7.0));
    assert_eq!(quality["overall_meets_target"], f);
    // 0.5, –, 0, 1, –, 0 against 75%.
    assert_eq!(
        verdicts(&quality),
        [
            f.clone(),
            n.clone(),
            f.clone(),
            t.clone(),
            n.clone(),
            f.clone()
        ]
    );
    assert_eq!(quality["trend"], "falling");
    let breadth = m("participation_min_roles_share");
    assert!(breadth["definition"]
        .as_str()
        .unwrap()
        .contains("at least 3 distinct roles"));
    assert!(close(&breadth["overall"], 0.6));
    assert_eq!(breadth["overall_meets_target"], f);
    // 0, –, 1, 0, –, – (2025-Q4 records no participants): every postmortem should reach 3.
    assert_eq!(
        verdicts(&breadth),
        [
            f.clone(),
            n.clone(),
            t.clone(),
            f.clone(),
            n.clone(),
            n.clone()
        ]
    );
    assert_eq!(breadth["trend"], "rising");

    let page = built.text("insights/index.html");
    for id in [
        "chart-template_consistent_share",
        "chart-participation_min_roles_share",
    ] {
        assert!(page.contains(&format!("data-chart=\"{id}\"")), "{id}");
        assert!(
            page.contains(&format!("data-chart-table=\"{id}\"")),
            "{id} table"
        );
    }
    assert!(page.contains("target at least 75%"));
    assert!(page.contains("3 of 7 postmortems (5 name a reviewer)"));
    assert!(page.contains(
        "3 of 5 postmortems that list their participants; median 3 roles; 2 not recorded"
    ));
    // The reasons, most common first, ties by rule.
    let reasons = &page[page.find("class=\"metric-reasons\"").unwrap()..];
    let reasons = &reasons[..reasons.find("</ol>").unwrap()];
    let order: Vec<usize> = [
        "<code>no-reviewer</code>: no reviewer is named <span class=\"muted\">(2 postmortems)",
        "<code>action-item/due</code>: an action item has no due date <span class=\"muted\">(1 postmortem)",
        "<code>template/missing-section</code>",
        "<code>template/timeline-detection</code>",
    ]
    .iter()
    .map(|r| reasons.find(r).unwrap_or_else(|| panic!("{r} in {reasons}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{reasons}");
    assert!(!reasons.contains("action-item/owner"), "no zero reasons");
    let table = |id: &str| {
        let t = &page[page.find(&format!("data-chart-table=\"{id}\"")).unwrap()..];
        t[..t.find("</table>").unwrap()].to_string()
    };
    let quality = table("chart-template_consistent_share");
    assert!(
        quality
            .contains("<th scope=\"row\">2024-Q3</th><td>50%</td><td>no</td><td>1</td><td>2</td>"),
        "{quality}"
    );
    let breadth = table("chart-participation_min_roles_share");
    for row in [
        "<th scope=\"row\">2024-Q3</th><td>0%</td><td>no</td><td>2</td><td>1</td><td>1</td>",
        "<th scope=\"row\">2025-Q1</th><td>100%</td><td>yes</td><td>3.5</td><td>2</td><td>0</td>",
        "<th scope=\"row\">2025-Q4</th><td>–</td><td>–</td><td>–</td><td>0</td><td>1</td>",
    ] {
        assert!(breadth.contains(row), "{row} in {breadth}");
    }
}

#[test]
fn quarters_run_from_first_to_last_with_empty_ones() {
    let built = built();
    let ins = json(&built, "api/insights.json");
    let qs = ins["quarters"].as_array().unwrap();
    let names: Vec<&str> = qs.iter().map(|q| q["quarter"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    );
    // 2024-Q3: P1, P2.
    let q = &qs[0];
    int(q, "postmortems", 2);
    num(q, "near_miss_share", Some(0.5));
    num(q, "recurrence_rate", Some(0.0));
    int(q, "action_items", 3);
    int(q, "action_items_done", 2);
    int(q, "action_items_done_on_time", 1);
    int(q, "action_items_overdue", 1);
    num(q, "completion_on_time_rate", Some(1.0 / 3.0));
    num(q, "median_days_to_publish", Some(4.0));
    num(q, "median_business_days_to_publish", Some(4.0));
    num(q, "median_days_to_close_first_high_priority", Some(10.0));
    num(q, "mean_minutes_to_resolve", Some(60.0));
    assert_eq!(q["by_severity"]["SEV4"], 1);
    assert_eq!(q["by_severity"]["SEV1"], 0);
    assert_eq!(q["by_factor"]["dns"], 2);
    // 2024-Q4 and 2025-Q3: no incident: zeros and nulls, never NaN.
    for q in [&qs[1], &qs[4]] {
        int(q, "postmortems", 0);
        int(q, "action_items", 0);
        int(q, "action_items_done", 0);
        int(q, "action_items_done_on_time", 0);
        int(q, "action_items_overdue", 0);
        for key in [
            "completion_on_time_rate",
            "median_days_to_publish",
            "recurrence_rate",
            "near_miss_share",
            "mean_minutes_to_resolve",
            "median_days_to_close_first_high_priority",
        ] {
            num(q, key, None);
        }
        assert_eq!(q["by_factor"]["dns"], 0);
    }
    // 2025-Q1: P3, P4.
    let q = &qs[2];
    int(q, "postmortems", 2);
    num(q, "near_miss_share", Some(0.0));
    num(q, "recurrence_rate", Some(0.5));
    int(q, "action_items", 5);
    int(q, "action_items_done", 2); // P3 AI-1, P4 AI-2
    int(q, "action_items_done_on_time", 2);
    int(q, "action_items_due", 2); // P3 AI-1, AI-3
    int(q, "action_items_overdue", 0);
    int(q, "action_items_stale", 2);
    int(q, "action_items_without_due", 1);
    num(q, "completion_on_time_rate", Some(0.5));
    num(q, "median_days_to_publish", Some(8.5)); // 7, 10
    num(q, "median_business_days_to_publish", Some(5.5)); // 5, 6
    num(q, "median_days_to_close_first_high_priority", Some(5.0));
    num(q, "mean_minutes_to_detect", Some(25.0));
    num(q, "mean_minutes_to_mitigate", Some(60.0));
    num(q, "mean_minutes_to_resolve", Some(120.0));
    // 2025-Q2: P5, a near miss with an overdue item and nothing closed.
    let q = &qs[3];
    int(q, "postmortems", 1);
    num(q, "near_miss_share", Some(1.0));
    num(q, "recurrence_rate", Some(0.0));
    num(q, "completion_on_time_rate", Some(0.0));
    num(q, "median_days_to_publish", Some(1.0));
    num(q, "median_days_to_close_first_high_priority", None);
    num(q, "mean_minutes_to_detect", Some(5.0));
    num(q, "mean_minutes_to_resolve", None);
    // 2025-Q4: P6, unpublished.
    let q = &qs[5];
    int(q, "postmortems", 1);
    int(q, "action_items", 3);
    int(q, "action_items_due", 2); // AI-1, AI-3 (due today)
    int(q, "action_items_overdue", 1);
    int(q, "action_items_stale", 0);
    num(q, "completion_on_time_rate", Some(0.0)); // neither done
    num(q, "median_days_to_publish", None);
    num(q, "mean_minutes_to_resolve", Some(45.0));
    // The undated postmortem is in no quarter: quarters add up to the total minus U.
    let sum: u64 = qs.iter().map(|q| q["postmortems"].as_u64().unwrap()).sum();
    assert_eq!(sum, 6);
    let items: u64 = qs.iter().map(|q| q["action_items"].as_u64().unwrap()).sum();
    assert_eq!(items, 12);
}

#[test]
fn metrics_carry_definitions_targets_and_per_quarter_verdicts() {
    let built = built();
    let ins = json(&built, "api/insights.json");
    let metrics = ins["metrics"].as_array().unwrap();
    let m = |key: &str| metrics.iter().find(|m| m["key"] == key).unwrap().clone();
    let verdicts = |m: &Value| -> Vec<Value> {
        m["quarters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["meets_target"].clone())
            .collect()
    };
    let (t, f, n) = (Value::Bool(true), Value::Bool(false), Value::Null);

    let on_time = m("completion_on_time_rate");
    assert!(on_time["definition"].as_str().unwrap().contains("due date"));
    assert_eq!(on_time["target_text"], "at least 80%");
    assert!(close(&on_time["overall"], 1.0 / 3.0));
    assert_eq!(on_time["overall_meets_target"], f);
    // 1/3, –, 0.5, 0, –, 0: all under 80%.
    assert_eq!(
        verdicts(&on_time),
        [
            f.clone(),
            n.clone(),
            f.clone(),
            f.clone(),
            n.clone(),
            f.clone()
        ]
    );
    assert_eq!(on_time["trend"], "falling");

    let publish = m("median_business_days_to_publish");
    assert!(close(&publish["overall"], 4.5));
    assert_eq!(publish["overall_meets_target"], t);
    // 4, –, 5.5, 1, –, –: under 5 business days?
    assert_eq!(
        verdicts(&publish),
        [
            t.clone(),
            n.clone(),
            f.clone(),
            t.clone(),
            n.clone(),
            n.clone()
        ]
    );

    let first = m("median_days_to_close_first_high_priority");
    assert!(close(&first["overall"], 7.5));
    assert_eq!(
        verdicts(&first),
        [
            t.clone(),
            n.clone(),
            t.clone(),
            n.clone(),
            n.clone(),
            n.clone()
        ]
    );

    let recur = m("recurrence_rate");
    assert_eq!(recur["overall_meets_target"], f);
    assert_eq!(
        verdicts(&recur),
        [
            t.clone(),
            n.clone(),
            f.clone(),
            t.clone(),
            n.clone(),
            t.clone()
        ]
    );

    // Near misses should rise: 0.5, –, 0, 1, –, 0 compared with the previous value.
    let near = m("near_miss_share");
    assert_eq!(near["target_text"], "rising over time");
    assert_eq!(
        verdicts(&near),
        [
            n.clone(),
            n.clone(),
            f.clone(),
            t.clone(),
            n.clone(),
            f.clone()
        ]
    );
    assert_eq!(near["trend"], "falling");
    assert_eq!(near["overall_meets_target"], f);

    // Most recurrent factor themes: by incidents, then quarters seen, then recurrences.
    let factors: Vec<(String, u64, u64, u64)> = ins["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["slug"].as_str().unwrap().to_string(),
                f["incidents"].as_u64().unwrap(),
                f["quarters"].as_u64().unwrap(),
                f["recurrences"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("dns", 4, 2, 1), // P1 P2 P3 U; 2024-Q3, 2025-Q1; P3
        ("config-change", 2, 2, 0),
        ("capacity-planning", 1, 1, 0),
        ("certificate-expiry", 1, 1, 0),
    ];
    let want: Vec<(String, u64, u64, u64)> = want
        .iter()
        .map(|w| (w.0.to_string(), w.1, w.2, w.3))
        .collect();
    assert_eq!(factors, want);
}

#[test]
fn actions_json_lists_every_item_with_its_flags() {
    let built = built();
    let items = json(&built, "api/actions.json");
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 13);
    let key = |i: &Value| {
        format!(
            "{} {}",
            i["postmortem"].as_str().unwrap(),
            i["id"].as_str().unwrap()
        )
    };
    let order: Vec<String> = items.iter().map(key).collect();
    // Newest postmortem first, items as written, undated last.
    assert_eq!(order[0], "2025-10-06-rate-limit AI-1");
    assert_eq!(order[12], "undated-legacy-outage AI-1");
    let get = |k: &str| items.iter().find(|i| key(i) == k).unwrap();
    let runbook = get("2024-07-15-dns-outage AI-3");
    for field in [
        "title",
        "owner",
        "due",
        "status",
        "kind",
        "priority",
        "postmortem_url",
        "postmortem_title",
        "quarter",
        "teams",
    ] {
        assert!(runbook.get(field).is_some(), "{field} missing");
    }
    assert_eq!(runbook["overdue"], true);
    assert_eq!(runbook["stale"], true);
    assert_eq!(runbook["days_open"], 503);
    assert_eq!(runbook["recurred"], true);
    assert_eq!(
        runbook["recurred_in"],
        serde_json::json!(["2025-01-10-dns-again"]),
        "the draft and the restricted recurrences are not named"
    );
    assert_eq!(runbook["quarter"], "2024-Q3");
    // The register's filters read severity and services from here.
    assert_eq!(runbook["severity"], "SEV2");
    assert_eq!(runbook["services"], serde_json::json!(["edge"]));
    assert_eq!(
        runbook["postmortem_url"],
        "postmortems/2024-07-15-dns-outage/"
    );
    assert_eq!(get("2024-07-15-dns-outage AI-1")["recurred"], true);
    assert_eq!(get("2024-07-15-dns-outage AI-1")["done_on_time"], true);
    assert_eq!(get("2024-07-15-dns-outage AI-2")["done_on_time"], false);
    let probe = get("2025-01-10-dns-again AI-2");
    assert!(probe["due"].is_null());
    assert_eq!(
        (probe["overdue"].as_bool(), probe["stale"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(probe["recurred"], false);
    let overrides = get("2025-10-06-rate-limit AI-1");
    assert_eq!(
        (overrides["overdue"].as_bool(), overrides["stale"].as_bool()),
        (Some(true), Some(false))
    );
    let today = get("2025-10-06-rate-limit AI-3");
    assert_eq!(today["overdue"], false, "due today is not overdue");
    assert_eq!(
        get("2025-01-10-dns-again AI-1")["done_on_time"],
        true,
        "closed on the due date"
    );
    let closed = get("2025-02-14-disk-full AI-2");
    assert!(closed["days_open"].is_null());
    assert_eq!(closed["done_on_time"], true);
    let undated = get("undated-legacy-outage AI-1");
    assert!(undated["quarter"].is_null() && undated["date"].is_null());
    assert_eq!(items.iter().filter(|i| i["overdue"] == true).count(), 3);
    assert_eq!(items.iter().filter(|i| i["stale"] == true).count(), 4);
    assert_eq!(items.iter().filter(|i| i["recurred"] == true).count(), 3);
}

/// The `<tr>` of the register holding `needle`.
fn row<'a>(html: &'a str, needle: &str) -> &'a str {
    let at = html
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the page"));
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

#[test]
fn the_actions_page_groups_flags_and_filters_without_javascript() {
    let built = built();
    let page = built.text("actions/index.html");
    for status in ["open", "in-progress", "done", "wontfix"] {
        assert!(
            page.contains(&format!("id=\"status-{status}\"")),
            "{status} group"
        );
    }
    let runbook = row(&page, "Write the DNS rollback runbook");
    assert!(
        runbook.contains("class=\"action-row overdue stale recurred\""),
        "{runbook}"
    );
    assert!(runbook.contains("decide: wrong or de-prioritised"));
    assert!(
        runbook.contains("postmortems/2025-01-10-dns-again/"),
        "links the recurrence"
    );
    assert!(runbook.contains("data-owner=\"network\"") && runbook.contains("data-priority=\"p3\""));
    let overrides = row(&page, "Add per-client rate-limit overrides");
    assert!(
        overrides.contains("overdue") && !overrides.contains("stale"),
        "{overrides}"
    );
    let retention = row(&page, "Move retention to size-based limits");
    assert!(
        !retention.contains("flag-"),
        "a done, unrecurred item has no flag: {retention}"
    );
    let probe = row(&page, "Add a synthetic DNS probe");
    assert!(
        probe.contains("data-team=\"network edge\"")
            || probe.contains("data-team=\"edge network\"")
    );
    assert!(probe.contains("flag-stale") && !probe.contains("flag-overdue"));
    // The filters: one select per dimension whose options count the items of the whole
    // register; no page per value (each item is written once).
    for (dim, value, name, n) in [
        ("status", "wontfix", "wontfix", 1),
        ("owner", "network", "network", 4),
        ("team", "edge", "edge", 3),
        ("kind", "unspecified", "unspecified", 1),
        ("priority", "p0", "P0", 1),
        ("priority", "unspecified", "unspecified", 1),
    ] {
        let select = &page[page
            .find(&format!("<select name=\"{dim}\" data-key=\"{dim}\">"))
            .unwrap_or_else(|| panic!("no {dim} select"))..];
        let select = &select[..select.find("</select>").unwrap()];
        let option =
            format!("<option value=\"{value}\" data-name=\"{name}\">{name} ({n})</option>");
        assert!(select.contains(&option), "{option} not in {select}");
        assert!(!built.has(&format!("actions/{dim}/{value}/index.html")));
    }
    for dim in ["severity", "service"] {
        assert!(
            page.contains(&format!("<select name=\"{dim}\"")),
            "{dim} filter"
        );
    }
    assert!(
        page.contains("name=\"overdue\" value=\"yes\""),
        "overdue filter"
    );
    assert!(page.contains("<option value=\"due\">"), "sort by due date");
    // Without JavaScript the form is hidden, every item is listed.
    assert!(page.contains(
        "data-actions-filters data-api=\"../api/actions.json\" data-root=\"../\" hidden>"
    ));
    assert!(runbook.contains("data-overdue=\"yes\"") && runbook.contains("data-severity=\""));
    assert!(overrides.contains("data-due=\"") && probe.contains("data-overdue=\"no\""));
    assert!(page.contains("<dt>from incidents that recurred</dt>"));
    assert!(!page.contains("of incidents that recurred"));
    assert!(
        page.contains("static/actions.js"),
        "the optional filter script"
    );
    assert!(built.has("static/actions.js"));
    assert_eq!(page.matches("class=\"action-row").count(), 13);
}

#[test]
fn the_insights_page_draws_svg_charts_with_data_tables() {
    let built = built();
    let page = built.text("insights/index.html");
    let charts = page.matches("<svg class=\"chart").count();
    // Seven metrics, severity, factors, mean and median times.
    assert_eq!(charts, 11);
    for id in [
        "chart-completion_on_time_rate",
        "chart-severity",
        "chart-factors",
        "chart-mean-times",
    ] {
        assert!(page.contains(&format!("data-chart=\"{id}\"")), "{id}");
        assert!(
            page.contains(&format!("data-chart-table=\"{id}\"")),
            "{id} table"
        );
    }
    assert!(!page.contains("<script src=\"http") && !page.contains("NaN"));
    // The empty quarter is a row with dashes; the target is drawn.
    let table = &page[page
        .find("data-chart-table=\"chart-completion_on_time_rate\"")
        .unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.contains("<th scope=\"row\">2024-Q4</th><td>–</td><td>–</td>"),
        "{table}"
    );
    assert!(
        table.contains("<th scope=\"row\">2024-Q3</th><td>33%</td><td>no</td>"),
        "{table}"
    );
    assert!(page.contains("class=\"chart-target\""));
    assert!(page.contains("target at least 80%"));
    assert!(
        page.contains("<dt>Done on time (of those due)</dt><dd>33%</dd>"),
        "overall on-time rate 3/9"
    );
    assert!(
        page.contains("undated postmortem count"),
        "undated ones are explained"
    );
    // The severity chart stacks 2024-Q3's SEV2 and SEV4 bars.
    assert!(page.contains("<title>2024-Q3 · SEV4: 1</title>"));
    // Factor pages gain a per-quarter trend: dns is 2, 0, 1, 0, 0, 0.
    let dns = built.text("factors/dns/index.html");
    assert!(dns.contains("data-chart=\"chart-trend\""));
    assert!(dns.contains("<th scope=\"row\">2024-Q3</th><td>2</td>"));
    assert!(dns.contains("<th scope=\"row\">2025-Q3</th><td>0</td>"));
    assert_eq!(dns.matches("class=\"chart-bar s1\"").count(), 2);
}

#[test]
fn insights_pages_are_linked_and_leak_nothing() {
    let built = built();
    let home = built.text("index.html");
    assert!(home.contains("href=\"actions/\"") && home.contains("href=\"insights/\""));
    for marker in [
        "ZEBRAFISH",
        "KUMQUAT",
        "secret-leak",
        "restricted-leak",
        "drafters",
    ] {
        assert_eq!(
            built.containing(marker),
            Vec::<String>::new(),
            "{marker} leaked"
        );
    }
    let broken = built.broken_links();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn an_archive_without_action_items_or_dates_still_builds() {
    let site = Site::empty();
    site.write("pmarchive.toml", "undated = \"list\"\n");
    site.write(
        "content/a.md",
        "+++\ntitle = \"A\"\nseverity = \"SEV2\"\nsummary = \"s\"\nservices = [\"x\"]\n+++\n## Summary\n\nText.\n",
    );
    let built = site.build_ok(&[]);
    let ins = json(&built, "api/insights.json");
    assert_eq!(ins["quarters"], serde_json::json!([]));
    int(&ins["overall"], "postmortems", 1);
    int(&ins["overall"], "action_items", 0);
    num(&ins["overall"], "completion_on_time_rate", None);
    num(&ins["overall"], "recurrence_rate", Some(0.0));
    assert_eq!(json(&built, "api/actions.json"), serde_json::json!([]));
    let page = built.text("actions/index.html");
    assert!(page.contains("No action item is recorded here."));
    assert!(built
        .text("insights/index.html")
        .contains("No dated incident yet."));
    assert!(built.broken_links().is_empty());
}

#[test]
fn a_long_archive_keeps_every_quarter_in_json_and_charts_the_latest_forty() {
    let site = Site::empty();
    for (id, date) in [("old", "1990-01-15"), ("new", "2025-11-01")] {
        site.write(
            &format!("content/{id}.md"),
            &format!("+++\ntitle = \"{id}\"\ndate = {date}\nseverity = \"SEV2\"\nsummary = \"s\"\nservices = [\"x\"]\ncontributing_factors = [\"dns\"]\n+++\n## Summary\n\nText.\n"),
        );
    }
    let built = site.build_ok(&[]);
    // 1990-Q1 to 2025-Q4: 36 years of 4 quarters.
    let ins = json(&built, "api/insights.json");
    assert_eq!(ins["quarters"].as_array().unwrap().len(), 144);
    let page = built.text("insights/index.html");
    assert!(page.contains("show the latest 40 (from 2016-Q1), api/insights.json has all 144"));
    let table = &page[page.find("data-chart-table=\"table-quarters\"").unwrap()..];
    assert_eq!(table.matches("<th scope=\"row\">").count(), 40);
    assert!(!page.contains("1990-Q1</th>"));
    let dns = built.text("factors/dns/index.html");
    assert!(dns.contains("2016-Q1") && !dns.contains("2015-Q4"));
}

/// A large register is split into pages of 200 (the index and every filter page), each row on
/// exactly one page, with working page links.
#[test]
fn the_action_register_is_paginated() {
    let site = Site::empty();
    // 45 postmortems with 5 action items each: 225 items, two pages.
    for i in 0..45 {
        let mut doc = format!(
            "+++\ntitle = \"Incident {i}\"\ndate = 2025-{:02}-{:02}\nseverity = \"SEV3\"\nsummary = \"Incident {i}.\"\nservices = [\"svc{}\"]\n",
            1 + i % 9,
            1 + i % 27,
            i % 3
        );
        for k in 1..=5 {
            doc.push_str(&format!(
                "\n[[action_items]]\nid = \"AI-{k}\"\ntitle = \"Bound the queue of svc{i} to {k}000 entries\"\nowner = \"team{}\"\ndue = 2025-12-{:02}\nstatus = \"open\"\nkind = \"prevent\"\npriority = \"P2\"\n",
                k % 2,
                k
            ));
        }
        doc.push_str("+++\n## Summary\n\nIt broke.\n");
        site.write(&format!("content/i{i:02}.md"), &doc);
    }
    let built = site.build_ok(&[]);
    let total = json(&built, "api/actions.json").as_array().unwrap().len();
    assert_eq!(total, 225);
    let first = built.text("actions/index.html");
    assert!(first.contains("actions/page/2/"), "a link to page 2");
    let second = built.text("actions/page/2/index.html");
    assert!(!built.has("actions/page/3/index.html"));
    let rows = |html: &str| html.matches("<tr class=\"action-row").count();
    assert_eq!(rows(&first), 200);
    assert_eq!(
        rows(&first) + rows(&second),
        total,
        "every item on exactly one page"
    );
    // No page per filter value: each item is written once.
    assert!(!built.has("actions/owner/team0/index.html"));
    assert!(
        built.broken_links().is_empty(),
        "{:?}",
        built.broken_links()
    );
}

/// The example archive records participants and reviewers on most published postmortems, not
/// all: both metrics have something to show, and "not recorded" is exercised.
#[test]
fn the_example_archive_records_participants_and_reviewers_on_most_postmortems() {
    let built = Site::example().build_ok(&[]);
    let o = &json(&built, "api/insights.json")["overall"];
    let total = o["postmortems"].as_u64().unwrap();
    for key in ["participation_recorded", "reviewed"] {
        let n = o[key].as_u64().unwrap();
        assert!(2 * n > total && n < total, "{key}: {n} of {total}");
    }
    assert!(o["participation_not_recorded"].as_u64().unwrap() > 0);
    assert!(o["median_roles"].as_f64().is_some_and(|m| m >= 2.0));
    let page = built.text("insights/index.html");
    assert!(page.contains("id=\"metric-template_consistent_share\""));
    assert!(page.contains("id=\"metric-participation_min_roles_share\""));
}

/// A postmortem's page and `api/postmortems.json` show its participants (as written) and its
/// reviewers; a postmortem without them shows neither.
#[test]
fn participants_and_reviewers_are_shown_as_written() {
    let built = built();
    let page = built.text("postmortems/2025-02-14-disk-full/index.html");
    assert!(
        page.contains("<dt>Participants</dt>")
            && page.contains("<li>Gus <span class=\"muted\">(Storage  Engineer)</span></li>")
            && page.contains("<li>Ivy <span class=\"muted\">(Incident Lead)</span></li>"),
        "{page}"
    );
    assert!(page.contains("<dt>Reviewed by</dt><dd>lee, kim</dd>"));
    let bare = built.text("postmortems/2025-10-06-rate-limit/index.html");
    assert!(!bare.contains("<dt>Participant") && !bare.contains("Reviewed by"));
    let all = json(&built, "api/postmortems.json");
    let get = |id: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone()
    };
    let p1 = get("2024-07-15-dns-outage");
    assert_eq!(p1["reviewers"], serde_json::json!(["lee"]));
    assert_eq!(
        p1["participants"][3],
        serde_json::json!({"name": "Di", "role": "IC"})
    );
    assert_eq!(
        get("2024-08-20-search-near-miss")["participants"],
        serde_json::json!([])
    );
}
