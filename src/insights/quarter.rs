//! Calendar quarters, business days, and the medians and means the figures are made of.

use super::*;

/// A calendar quarter (`2025-Q1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Quarter {
    /// The year.
    pub year: i32,
    /// 1..=4.
    pub q: u32,
}

impl Quarter {
    /// The quarter a date falls in.
    pub(crate) fn of(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    /// The quarter after this one.
    pub(crate) fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    /// Every quarter from `first` to `last`, both included.
    pub(crate) fn range(first: Quarter, last: Quarter) -> Vec<Quarter> {
        let mut out = Vec::new();
        let mut q = first;
        while q <= last {
            out.push(q);
            q = q.next();
        }
        out
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Weekdays (Monday to Friday) after `from` up to and including `to`: a Friday incident
/// published the next Monday took 1 business day (3 calendar days). Public holidays are not
/// known to the archive and count as business days. Negative when `to` is before `from`.
pub(crate) fn business_days(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return -business_days(to, from);
    }
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as i64
}

/// The median, `None` for no values.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The mean, `None` for no values.
pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

pub(super) fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}
