//! Synonyms: the words an engineer types for what the postmortems spell another way. A query
//! word (or run of words) that is a member of a group also searches for the group's other
//! members, each weighing [`SYNONYM_BOOST`] of a typed word: a one-word member as a term, a
//! longer one as a phrase.
//!
//! The built-in groups ([`BUILTIN`]) are only abbreviations an operations team writes
//! (`k8s`, `oom`, `db`) and British and American spellings (`behaviour`, `behavior`); an
//! archive adds its own in `[search] synonyms` (its service nicknames, its jargon) or turns the
//! built-in ones off with `builtin_synonyms = false`. The groups are analysed as the index is
//! and written into the browser index's manifest, where the client expands queries the same way.

use serde::Serialize;

use super::analyzer::{analyzer, terms_with_offsets};

/// The weight of a synonym's score against a word the engineer typed.
pub(crate) const SYNONYM_BOOST: f32 = 0.5;

/// The built-in groups: abbreviations of operations work and British/American spellings.
pub(crate) const BUILTIN: &[&[&str]] = &[
    &["prod", "production"],
    &["db", "database"],
    &["k8s", "kubernetes"],
    &["cert", "certificate"],
    &["config", "configuration"],
    &["auth", "authentication"],
    &["authz", "authorization"],
    &["repo", "repository"],
    &["env", "environment"],
    &["infra", "infrastructure"],
    &["oom", "oomkilled", "out of memory"],
    &["ddos", "denial of service"],
    &["lb", "load balancer"],
    &["az", "availability zone"],
    &["dc", "datacenter", "data center"],
    &["ttl", "time to live"],
    &["ha", "high availability"],
    &["fd", "file descriptor"],
    &["mem", "memory"],
    &["perf", "performance"],
    &["deps", "dependencies"],
    &["svc", "service"],
    &["vm", "virtual machine"],
    &["msg", "message"],
    &["req", "request"],
    &["pg", "postgres", "postgresql"],
    &["mongo", "mongodb"],
    &["cdn", "content delivery network"],
    &["sla", "service level agreement"],
    &["slo", "service level objective"],
    &["rca", "root cause analysis"],
    &["neighbor", "neighbour"],
    &["behavior", "behaviour"],
    &["utilization", "utilisation"],
    &["prioritize", "prioritise"],
    &["analyze", "analyse"],
    &["organization", "organisation"],
    &["optimize", "optimise"],
    &["serialize", "serialise"],
    &["synchronize", "synchronise"],
    &["initialize", "initialise"],
    &["favor", "favour"],
    &["color", "colour"],
    &["catalog", "catalogue"],
    &["license", "licence"],
];

/// An analysed member of a group: (position relative to its first term, term).
pub(crate) type Member = Vec<(usize, String)>;

/// The analysed groups.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Synonyms {
    /// Groups of two members or more (members that analyse to nothing, or to the same terms
    /// as another member, dropped).
    pub groups: Vec<Vec<Member>>,
}

impl Synonyms {
    /// The built-in groups (when `builtin`) and `extra`, analysed.
    pub fn new(builtin: bool, extra: &[Vec<String>]) -> Synonyms {
        let mut an = analyzer();
        let mut groups = Vec::new();
        let builtin_groups = BUILTIN
            .iter()
            .filter(|_| builtin)
            .map(|g| g.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        for group in builtin_groups.chain(extra.iter().cloned()) {
            let mut members: Vec<Member> = Vec::new();
            for m in &group {
                let analysed = terms_with_offsets(&mut an, m);
                if !analysed.is_empty() && !members.contains(&analysed) {
                    members.push(analysed);
                }
            }
            if members.len() > 1 {
                groups.push(members);
            }
        }
        Synonyms { groups }
    }

    /// What the query's words (its bare words' terms, in order, repeats kept) also search for:
    /// the other members of every group one of whose members the words contain (a one-term
    /// member as a word, a longer one as a run of words), leaving out members the words already
    /// contain; in group order, each once.
    pub fn expand(&self, words: &[String]) -> Vec<Member> {
        let contains = |m: &Member| {
            let ts: Vec<&str> = m.iter().map(|(_, t)| t.as_str()).collect();
            words
                .windows(ts.len())
                .any(|w| w.iter().map(String::as_str).eq(ts.iter().copied()))
        };
        let mut out: Vec<Member> = Vec::new();
        for group in &self.groups {
            if !group.iter().any(contains) {
                continue;
            }
            for m in group {
                if !contains(m) && !out.contains(m) {
                    out.push(m.clone());
                }
            }
        }
        out
    }

    /// What stands for `term` when counting the words a document matches: the other members of
    /// every group that has `term` as a one-term member, in group order, each once.
    pub fn alternatives(&self, term: &str) -> Vec<Member> {
        let mut out: Vec<Member> = Vec::new();
        for group in &self.groups {
            if !group
                .iter()
                .any(|m| matches!(m.as_slice(), [(_, t)] if t == term))
            {
                continue;
            }
            for m in group {
                let own = matches!(m.as_slice(), [(_, t)] if t == term);
                if !own && !out.contains(m) {
                    out.push(m.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_words_and_runs_both_ways() {
        let s = Synonyms::new(true, &[vec!["pay".into(), "payments platform".into()]]);
        let w = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        // A word: its group's other members, a phrase for a longer one.
        let got = s.expand(&w(&["oom", "kill"]));
        assert_eq!(
            got,
            [
                vec![(0, "oomkil".to_string())],
                vec![(0, "out".to_string()), (2, "memori".to_string())]
            ]
        );
        // A run of words triggers the group too, and is not searched again.
        assert_eq!(
            s.expand(&w(&["out", "memori"])),
            [
                vec![(0, "oom".to_string())],
                vec![(0, "oomkil".to_string())],
                vec![(0, "mem".to_string())]
            ]
        );
        // The words must be consecutive for a run (`memory` alone is `mem`'s).
        assert_eq!(
            s.expand(&w(&["out", "disk", "memori"])),
            [vec![(0, "mem".to_string())]]
        );
        // An archive's own group; British and American spellings.
        assert_eq!(s.expand(&w(&["pay"]))[0][0].1, "payment");
        assert_eq!(
            s.expand(&w(&["neighbour"])),
            [vec![(0, "neighbor".to_string())]]
        );
        // Turned off.
        assert!(Synonyms::new(false, &[]).expand(&w(&["oom"])).is_empty());
    }
}
