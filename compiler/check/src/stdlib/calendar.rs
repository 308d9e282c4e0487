//! Calendar arithmetic for the time built-ins (not a built-in itself):
//! UTC dates and times of any timestamp (any i64 of microseconds, about
//! ±292,000 years), in the proleptic Gregorian calendar, without leap
//! seconds. Nothing here fails or panics.

/// Microseconds in a second.
pub(super) const SECOND: i64 = 1_000_000;
/// Microseconds in a day.
pub(super) const DAY: i64 = 86_400 * SECOND;

/// 0000-01-01T00:00:00Z: the earliest timestamp `from_unix_seconds` and
/// `from_unix_millis` make (and input decoding reads).
pub(super) const EARLIEST: i64 = -62_167_219_200 * SECOND;
/// 9999-12-31T23:59:59.999999Z: the latest.
pub(super) const LATEST: i64 = 253_402_300_800 * SECOND - 1;

/// A timestamp's UTC date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Civil {
    /// Days since 1970-01-01 (negative before).
    pub days: i64,
    pub year: i64,
    /// 1 to 12.
    pub month: i64,
    /// 1 to 31.
    pub day: i64,
    /// Microseconds since midnight, 0 to `DAY - 1`.
    pub micros_of_day: i64,
}

impl Civil {
    pub fn of(t: i64) -> Civil {
        let days = t.div_euclid(DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            days,
            year,
            month,
            day,
            micros_of_day: t.rem_euclid(DAY),
        }
    }

    /// 1 (Monday) to 7 (Sunday), as ISO 8601. 1970-01-01 was a Thursday.
    pub fn weekday(&self) -> i64 {
        (self.days + 3).rem_euclid(7) + 1
    }

    /// 1 to 366.
    pub fn day_of_year(&self) -> i64 {
        self.days - days_from_civil(self.year, 1, 1) + 1
    }
}

/// Days since 1970-01-01 → (year, month, day); Howard Hinnant's
/// `civil_from_days`, with floored division so it holds for every day an
/// i64 timestamp can reach.
pub(super) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) → days since 1970-01-01; the inverse of
/// [`civil_from_days`] (for the years it reaches).
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Datelike, Timelike};

    /// Agrees with chrono wherever chrono has the date.
    #[test]
    fn agrees_with_chrono() {
        let mut x: u64 = 0x1234_5678_9abc_def1;
        let mut samples: Vec<i64> = vec![
            0,
            -1,
            1,
            DAY,
            -DAY,
            951_782_400_000_000,   // 2000-02-29
            4_107_542_400_000_000, // 2100-03-01
            -62_167_219_200_000_000,
            253_402_300_799_999_999,
        ];
        for _ in 0..20_000 {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D) as i64;
            // Mostly years -5000..5000, sometimes anywhere chrono reaches.
            samples.push(r % 220_000_000_000_000_000);
            samples.push(r % 8_000_000_000_000_000_000);
        }
        for t in samples {
            let Some(c) = DateTime::from_timestamp_micros(t) else {
                continue;
            };
            let ours = Civil::of(t);
            assert_eq!(ours.year, i64::from(c.year()), "{t}");
            assert_eq!(ours.month, i64::from(c.month()), "{t}");
            assert_eq!(ours.day, i64::from(c.day()), "{t}");
            assert_eq!(ours.day_of_year(), i64::from(c.ordinal()), "{t}");
            assert_eq!(
                ours.weekday(),
                i64::from(c.weekday().number_from_monday()),
                "{t}"
            );
            assert_eq!(
                ours.micros_of_day / SECOND,
                i64::from(c.num_seconds_from_midnight()),
                "{t}"
            );
            assert_eq!(
                days_from_civil(ours.year, ours.month, ours.day),
                ours.days,
                "{t}"
            );
        }
    }

    #[test]
    fn extremes() {
        for t in [i64::MIN, i64::MAX] {
            let c = Civil::of(t);
            assert_eq!(days_from_civil(c.year, c.month, c.day), c.days);
            assert!((1..=7).contains(&c.weekday()));
            assert!((1..=366).contains(&c.day_of_year()));
        }
        assert_eq!(Civil::of(i64::MAX).year, 294_247);
        assert_eq!(Civil::of(i64::MIN).year, -290_308);
    }
}
