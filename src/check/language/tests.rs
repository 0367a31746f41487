use super::{scan_line, Kind, People};

fn people(names: &[&str]) -> People {
    People::from_names(names.iter().map(|s| s.to_string()))
}

fn kinds_with(s: &str, p: &People) -> Vec<Kind> {
    scan_line(s, p).into_iter().map(|f| f.kind).collect()
}

fn kinds(s: &str) -> Vec<Kind> {
    kinds_with(s, &People::none())
}

fn phrases(s: &str) -> Vec<String> {
    scan_line(s, &People::none())
        .into_iter()
        .map(|f| f.phrase)
        .collect()
}

fn all_quiet(sentences: &[&str]) {
    for s in sentences {
        assert!(kinds(s).is_empty(), "{s}: {:?}", phrases(s));
    }
}

fn all(kind: Kind, sentences: &[&str]) {
    for s in sentences {
        assert_eq!(kinds(s), [kind], "{s}: {:?}", phrases(s));
    }
}

#[test]
fn the_documented_examples_keep_their_phrase_and_rewrite() {
    let f = scan_line(
        "Alice should have checked the configuration.",
        &People::none(),
    );
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].at, f[0].phrase.as_str()), (6, "Alice should have"));
    assert!(f[0].hint.contains("not validated before deployment"));
    assert_eq!(phrases("This was human error."), ["human error"]);
    assert_eq!(
        phrases("The operator forgot to drain the node."),
        ["operator forgot"]
    );
}

#[test]
fn a_person_as_the_subject_of_a_lapse() {
    all(
        Kind::Lapse,
        &[
            "Agnieszka forgot to turn the alerting back on.",
            "The on-call missed the page about the full disk.",
            "The DBA did not check which host the script would hit.",
            "An SRE accidentally restarted the whole fleet.",
            "Our engineer ignored the deprecation warning.",
            "Kwabena failed to verify the restored snapshot.",
            "The search team neglected to rotate the API key.",
            "The operator on duty overlooked the growing queue.",
            "Haruto typed the wrong cluster name into the console.",
            "The developer merged the patch without waiting for CI.",
            "Somebody skipped the smoke test on Friday.",
        ],
    );
}

#[test]
fn the_subject_of_a_second_verb_is_the_sentences_person() {
    all(
        Kind::Lapse,
        &[
            "The DBA restored the table and forgot to re-enable replication.",
            "At 04:00 the operator drained the node but failed to check the other zone.",
        ],
    );
    // Software as the subject of both verbs.
    all_quiet(&["The agent restarted and forgot its lease."]);
}

#[test]
fn no_one_is_a_pronoun() {
    all(
        Kind::CulpritQuestion,
        &["Why did no one look at the queue depth?"],
    );
    all_quiet(&["No one is at fault: the alert went to an unused channel."]);
}

#[test]
fn names_that_look_like_plurals_count_with_a_persons_verb() {
    // "Lars" looks like a plural noun ("Workers"): a person only with a verb software
    // rarely takes.
    all(Kind::Lapse, &["Lars botched the schema change."]);
    all_quiet(&["Lars rolled the schema change back."]);
    all_quiet(&["Workers missed three heartbeats."]);
}

#[test]
fn names_the_postmortem_lists_are_people() {
    // A lowercase handle is a person only because the postmortem lists it.
    let s = "mkowalski skipped the canary stage.";
    assert!(kinds(s).is_empty());
    assert_eq!(kinds_with(s, &people(&["mkowalski"])), [Kind::Lapse]);
    // A first name of a listed full name; "did not" + a diligence verb.
    let s = "Thandiwe did not confirm the target region.";
    assert_eq!(kinds_with(s, &people(&["Thandiwe Mokoena"])), [Kind::Lapse]);
}

#[test]
fn judgments_of_people() {
    all(
        Kind::Judgment,
        &[
            "The rollback was handled carelessly.",
            "It was Ingrid's mistake.",
            "The release was the fault of the mobile team.",
            "The database team was responsible for the outage.",
            "Blame for the data loss lies with the on-call.",
            "Pedro made a mistake in the quota file.",
            "A slip by the operator dropped the routes.",
        ],
    );
}

#[test]
fn counterfactuals_about_people() {
    all(
        Kind::Counterfactual,
        &[
            "Mateus should have asked the storage team first.",
            "The on-call should've paged the network team.",
            "If the engineer had checked the diff, nothing would have broken.",
            "Had Aiyana escalated at 02:00, the impact would have been smaller.",
            "The reviewer could have caught the missing index.",
            "If only the rollout had been slower.",
        ],
    );
}

#[test]
fn questions_looking_for_a_culprit() {
    all(
        Kind::CulpritQuestion,
        &[
            "Who deployed this on a Friday?",
            "Why didn't anybody look at the error budget?",
            "Why did the operator restart the primary?",
            "Which developer disabled the check?",
            "Who was responsible for the expired certificate?",
        ],
    );
}

#[test]
fn human_error_and_its_synonyms() {
    all(
        Kind::HumanError,
        &[
            "Cause: operator error.",
            "The misrouted traffic was down to a fat-finger in the load balancer UI.",
            "We recorded this as human error.",
            "It was closed as user error.",
        ],
    );
}

#[test]
fn a_person_doing_something_neutral_is_quiet() {
    all_quiet(&[
        "Agnieszka turned the alerting back on at 10:02.",
        "The on-call acknowledged the page and started the failover.",
        "The DBA checked which host the script would hit.",
        "Kwabena verified the restored snapshot.",
        "The search team rotated the API key the same day.",
    ]);
}

#[test]
fn software_as_the_subject_of_the_same_verbs_is_quiet() {
    all_quiet(&[
        "The health check failed to connect to the database.",
        "Kafka failed to elect a leader within 30 s.",
        "Requests missed the cache and went to the origin.",
        "The retry logic ignored the Retry-After header.",
        "Postgres failed to start after the upgrade.",
        "The team believed Firefox ignored certificate expiration dates.",
        "The scheduler skipped the cordoned nodes.",
        "The sidecar accidentally kept the old certificate.",
        "Etcd missed two heartbeats during the compaction.",
    ]);
}

#[test]
fn should_have_about_systems_and_expected_values_is_quiet() {
    all_quiet(&[
        "The deploy should have been blocked by the canary.",
        "The breaker should have opened after three failures.",
        "The job should have finished by 04:00.",
        "The engineer should have been paged by the disk alert.",
        "We should have had an alert on replication lag.",
    ]);
}

#[test]
fn missed_targets_and_deadlines_are_quiet() {
    all_quiet(&[
        "We missed the availability target in May.",
        "The data team missed its deadline for the backfill.",
        "The fix missed the Thursday release train.",
    ]);
}

#[test]
fn mentioning_a_mistake_to_fix_the_system_is_quiet() {
    all_quiet(&[
        "We do not treat human error as a cause; the console now asks for confirmation.",
        "No one is to blame: the runbook pointed at the wrong host.",
        "The tool accepted a mistyped flag, so a dry-run mode was added.",
        "The engineer who restarted the primary had no way to see it was the primary.",
        "We follow a blameless postmortem process.",
        "The service responsible for routing crashed at start-up.",
    ]);
}

#[test]
fn one_finding_per_sentence_at_its_anchor() {
    let f = scan_line(
        "Leon was careless and forgot to drain the node. Then Leon forgot again.",
        &People::none(),
    );
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(f[0].kind, Kind::Judgment);
    assert_eq!(f[1].kind, Kind::Lapse);
    assert!(f[1].at > 40);
}
