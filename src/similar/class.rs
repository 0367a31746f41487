//! Recurring classes: incidents joined by explicit links (`recurrence_of`, pins) or by strong
//! computed ones form a class, the unit in which recurrence is counted ("the same class of
//! failure came back"). A computed link joins two incidents only when it is at least
//! `[similar] cluster_score` strong and each incident lists the other, so one loosely similar
//! incident cannot chain two unrelated classes together.

use std::collections::BTreeMap;

use super::{Link, LinkKind};
use crate::enrich::Site;
use crate::model::When;

/// A class of incidents that recur.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecurringClass {
    /// Stable id: the id of its earliest incident.
    pub id: String,
    /// Members (site indexes), earliest first (undated last).
    pub members: Vec<usize>,
    /// Factors at least half the members share, most shared first.
    pub factors: Vec<String>,
    /// Services at least half the members share, most shared first.
    pub services: Vec<String>,
    /// The first incident's start.
    pub first: Option<When>,
    /// The last incident's start.
    pub last: Option<When>,
    /// Open action items across the members.
    pub open_actions: usize,
    /// Whether an author linked members explicitly (`recurrence_of` or a pin).
    pub explicit: bool,
}

/// Disjoint sets over site indexes.
pub(crate) struct Sets {
    parent: Vec<usize>,
}

impl Sets {
    /// `n` singletons.
    pub(crate) fn new(n: usize) -> Sets {
        Sets {
            parent: (0..n).collect(),
        }
    }

    /// The representative of `x`'s set (the smallest index in it).
    pub(crate) fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `a` and `b`.
    pub(crate) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index wins, so the result does not depend on the order of unions.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

/// The values shared by at least half of `members`, most shared first, then by name.
fn shared_by_half<'a>(lists: impl Iterator<Item = &'a [String]>, members: usize) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for list in lists {
        let mut seen: Vec<&str> = list.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for v in seen {
            *counts.entry(v).or_default() += 1;
        }
    }
    let mut v: Vec<(&str, usize)> = counts
        .into_iter()
        .filter(|&(_, c)| c * 2 >= members)
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter().map(|(s, _)| s.to_string()).collect()
}

/// The classes formed by `links` (per postmortem, as computed), largest first, then the most
/// recent; and each postmortem's class.
pub(crate) fn classes(
    site: &Site<'_>,
    links: &[Vec<Link>],
    cluster_score: f32,
) -> (Vec<RecurringClass>, Vec<Option<usize>>) {
    let n = site.postmortems.len();
    let mut sets = Sets::new(n);
    let mut explicit = vec![false; n];
    for (a, list) in links.iter().enumerate() {
        for l in list {
            let strong = match l.kind {
                LinkKind::Recurrence | LinkKind::Pinned => {
                    explicit[a] = true;
                    true
                }
                LinkKind::Computed => {
                    l.score >= cluster_score && links[l.target].iter().any(|m| m.target == a)
                }
            };
            if strong {
                sets.union(a, l.target);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let root = sets.find(i);
        groups.entry(root).or_default().push(i);
    }
    let pms = &site.postmortems;
    let mut classes: Vec<RecurringClass> = groups
        .into_values()
        .filter(|m| m.len() >= 2)
        .map(|mut members| {
            // Site order is newest first with undated last: earliest first is dated ones
            // reversed, then the undated.
            let (mut dated, undated): (Vec<usize>, Vec<usize>) =
                members.iter().partition(|&&i| pms[i].date.is_some());
            dated.reverse();
            members = dated.into_iter().chain(undated).collect();
            let first = members.iter().find_map(|&i| pms[i].date);
            let last = members.iter().rev().find_map(|&i| pms[i].date);
            RecurringClass {
                id: pms[members[0]].id.clone(),
                factors: shared_by_half(
                    members.iter().map(|&i| pms[i].factors.as_slice()),
                    members.len(),
                ),
                services: shared_by_half(
                    members.iter().map(|&i| pms[i].services.as_slice()),
                    members.len(),
                ),
                first,
                last,
                open_actions: members
                    .iter()
                    .flat_map(|&i| &pms[i].action_items)
                    .filter(|a| a.is_open())
                    .count(),
                explicit: members.iter().any(|&i| explicit[i]),
                members,
            }
        })
        .collect();
    classes.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| b.last.cmp(&a.last))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut class_of = vec![None; n];
    for (c, class) in classes.iter().enumerate() {
        for &m in &class.members {
            class_of[m] = Some(c);
        }
    }
    (classes, class_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_do_not_depend_on_order() {
        let mut a = Sets {
            parent: (0..5).collect(),
        };
        a.union(4, 3);
        a.union(3, 1);
        let mut b = Sets {
            parent: (0..5).collect(),
        };
        b.union(1, 3);
        b.union(4, 1);
        for i in 0..5 {
            assert_eq!(a.find(i), b.find(i));
        }
        assert_eq!(a.find(4), 1);
        assert_eq!(a.find(0), 0);
    }

    #[test]
    fn half_shared() {
        let lists: Vec<Vec<String>> = vec![
            vec!["dns".into(), "config".into()],
            vec!["dns".into()],
            vec!["dns".into(), "ttl".into(), "config".into()],
            vec!["x".into()],
        ];
        assert_eq!(
            shared_by_half(lists.iter().map(Vec::as_slice), 4),
            ["dns", "config"]
        );
    }
}
