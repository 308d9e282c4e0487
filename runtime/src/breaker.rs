//! The circuit breaker (`max_error_rate`): a run whose recent records
//! mostly fail is more likely facing a broken environment (a table gone,
//! a service down, a wrong database) than bad records, and dead-lettering
//! everything would bury the problem. Over a window of the last 1,000
//! records, once at least 100 were seen, more than `max_error_rate` of
//! them failing stops the run before the batch that tipped it commits.

use std::collections::VecDeque;

/// How many recent records the rate is taken over.
pub const WINDOW: usize = 1000;
/// Fewer records than this never trip the breaker (a small file with a
/// few bad rows is not a broken environment).
pub const MIN_RECORDS: usize = 100;
/// `max_error_rate` when the pipeline does not set it.
pub const DEFAULT_RATE: f64 = 0.5;

#[derive(Debug)]
pub struct Breaker {
    rate: f64,
    window: VecDeque<bool>,
    failed: usize,
}

impl Breaker {
    pub fn new(rate: f64) -> Breaker {
        Breaker {
            rate,
            window: VecDeque::with_capacity(WINDOW),
            failed: 0,
        }
    }

    /// Add a batch's outcomes: `records` records of which `failed` failed.
    pub fn add(&mut self, records: usize, failed: usize) {
        for i in 0..records {
            let f = i < failed;
            if self.window.len() == WINDOW && self.window.pop_front() == Some(true) {
                self.failed -= 1;
            }
            self.window.push_back(f);
            self.failed += usize::from(f);
        }
    }

    /// `Some((failed, of))` when the breaker trips.
    pub fn tripped(&self) -> Option<(usize, usize)> {
        let n = self.window.len();
        (n >= MIN_RECORDS && self.failed as f64 > self.rate * n as f64).then_some((self.failed, n))
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }
}

/// The most frequent failure of a batch's dead letters, as
/// `stage: CODE message`, for the circuit breaker's error.
pub(crate) fn most_common(dead: &[crate::store::DeadLetter]) -> String {
    let mut counts: std::collections::HashMap<(&str, &str), (usize, &str)> =
        std::collections::HashMap::new();
    for d in dead {
        let entry = counts.entry((&d.stage, &d.code)).or_insert((0, &d.message));
        entry.0 += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(key, (n, _))| (*n, std::cmp::Reverse(*key)))
        .map(|((stage, code), (n, message))| format!("{n} × stage `{stage}`: {code} {message}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trips_above_the_rate_once_enough_records_were_seen() {
        let mut b = Breaker::new(0.5);
        b.add(60, 60);
        assert_eq!(b.tripped(), None, "fewer than MIN_RECORDS");
        b.add(60, 0);
        assert_eq!(b.tripped(), None, "60 of 120 is not more than half");
        b.add(10, 10);
        assert_eq!(b.tripped(), Some((70, 130)));
    }

    #[test]
    fn old_records_leave_the_window() {
        let mut b = Breaker::new(0.5);
        b.add(WINDOW, WINDOW / 2);
        assert_eq!(b.tripped(), None);
        b.add(WINDOW, 0);
        assert_eq!(b.tripped(), None);
        b.add(WINDOW / 2 + 1, WINDOW / 2 + 1);
        assert_eq!(b.tripped(), Some((WINDOW / 2 + 1, WINDOW)));
    }
}
