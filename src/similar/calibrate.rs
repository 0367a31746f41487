//! How much the archive's metadata says about similarity, learnt from its own explicit links.
//!
//! On real reports the owner of an incident (organisation, service, team) predicts little: two
//! incidents of one organisation are rarely the same kind of failure, and weighing shared
//! services or the service names in the text sent a third to a half of the links to the same
//! organisation (bench/relevance.py). In a company's archive where incidents recur per service,
//! the same metadata is strong evidence. Which one an archive is, its authors have already
//! said: the pairs they joined with `recurrence_of` and `similar_pinned`. Each field's weight is
//! its lift on those pairs (how much more the linked pairs share it than pairs of the same
//! incidents with others), shrunk towards the weak defaults when the links are few.

use super::{Field, Params};

/// Explicit pairs at which the learnt weights count as much as the defaults.
const HALF_WEIGHT_PAIRS: f32 = 20.0;

/// An evidence weight's learnt part at most (a lift of 1 gives it).
const MAX_EVIDENCE: f32 = 2.0;

/// Reference pairs drawn per explicit pair.
const REFERENCES: usize = 4;

/// The mean similarity of a field over the explicit pairs, and over reference pairs that
/// join each of the same incidents to others, picked deterministically.
fn lift(field: &Field, pairs: &[(usize, usize)], n: usize) -> f32 {
    if pairs.is_empty() || n < 3 {
        return 0.0;
    }
    let linked: f32 = pairs
        .iter()
        .map(|&(a, b)| field.similarity(a, b))
        .sum::<f32>();
    let mut reference = 0.0f32;
    let mut count = 0usize;
    for (k, &(a, b)) in pairs.iter().enumerate() {
        for r in 0..REFERENCES {
            // A fixed stride through the archive: the same references every build.
            let c = (a + 1 + (k * REFERENCES + r) * 7919) % n;
            if c != a && c != b {
                reference += field.similarity(a, c);
                count += 1;
            }
        }
    }
    let reference = if count == 0 {
        0.0
    } else {
        reference / count as f32
    };
    (linked / pairs.len() as f32 - reference).max(0.0)
}

/// `base` with its evidence weights and owner weight learnt from `pairs` (each explicit pair
/// once, `a < b`): factors, services and tags as `[f, s, t]`.
pub(super) fn calibrate(
    base: &Params,
    fields: [&Field; 3],
    pairs: &[(usize, usize)],
    n: usize,
) -> Params {
    let m = pairs.len() as f32;
    let trust = m / (m + HALF_WEIGHT_PAIRS);
    let lifts: Vec<f32> = fields.iter().map(|f| lift(f, pairs, n)).collect();
    let mut p = base.clone();
    for (e, l) in p.evidence.iter_mut().zip(&lifts) {
        *e = (1.0 - trust) * *e + trust * MAX_EVIDENCE * l;
    }
    // Owner names in the text weigh as much as the services predict.
    p.owner_weight = ((1.0 - trust) * base.owner_weight + trust * (2.0 * lifts[1])).min(1.0);
    p
}
