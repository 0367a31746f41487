//! The structured fields similarity weighs as weak evidence (factors, services, tags): each
//! document's values, weighted by their rarity.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One structured field (factors, services or tags): each document's values as ids, each
/// value weighted by its rarity, `ln(1 + N / df)`.
pub(super) struct Field {
    /// Per document: its distinct value ids, sorted.
    docs: Vec<Vec<u32>>,
    /// Per document: the sum of its values' weights.
    totals: Vec<f32>,
    /// Per value id: its weight.
    pub(super) weight: Vec<f32>,
    /// Per value id: the value (ids follow the values' order).
    pub(super) names: Vec<String>,
}

impl Field {
    pub(super) fn new<'a>(lists: impl Iterator<Item = &'a [String]>) -> Field {
        let lists: Vec<&[String]> = lists.collect();
        let n = lists.len();
        let mut df: BTreeMap<&str, usize> = BTreeMap::new();
        for list in &lists {
            let set: BTreeSet<&str> = list.iter().map(String::as_str).collect();
            for v in set {
                *df.entry(v).or_default() += 1;
            }
        }
        let ids: HashMap<&str, u32> = df.keys().enumerate().map(|(i, v)| (*v, i as u32)).collect();
        let weight: Vec<f32> = df
            .values()
            .map(|&d| (1.0 + n as f32 / d as f32).ln())
            .collect();
        let docs: Vec<Vec<u32>> = lists
            .iter()
            .map(|list| {
                let mut v: Vec<u32> = list.iter().map(|x| ids[x.as_str()]).collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let totals = docs
            .iter()
            .map(|v| v.iter().map(|&i| weight[i as usize]).sum())
            .collect();
        Field {
            docs,
            totals,
            weight,
            names: df.into_keys().map(String::from).collect(),
        }
    }

    /// The values two documents share.
    pub(super) fn shared(&self, a: usize, b: usize) -> impl Iterator<Item = u32> + '_ {
        let vb = &self.docs[b];
        self.docs[a]
            .iter()
            .copied()
            .filter(move |v| vb.binary_search(v).is_ok())
    }

    /// Weighted Jaccard of two documents' sets.
    pub(super) fn similarity(&self, a: usize, b: usize) -> f32 {
        let inter: f32 = self.shared(a, b).map(|v| self.weight[v as usize]).sum();
        let union = self.totals[a] + self.totals[b] - inter;
        if inter <= 0.0 || union <= 0.0 {
            0.0
        } else {
            inter / union
        }
    }

    /// The shared values, rarest first (then by name).
    pub(super) fn shared_names(&self, a: usize, b: usize) -> Vec<String> {
        let mut v: Vec<u32> = self.shared(a, b).collect();
        v.sort_by(|x, y| {
            self.weight[*y as usize]
                .total_cmp(&self.weight[*x as usize])
                .then(x.cmp(y))
        });
        v.into_iter()
            .map(|i| self.names[i as usize].clone())
            .collect()
    }
}
