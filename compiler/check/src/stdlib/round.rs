//! `round`: Rounds to `digits` decimal places, half away from zero.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const ROUND: Builtin = Builtin {
    name: "round",
    signatures: &[Signature {
        params: &[("x", SigTy::Float), ("digits", SigTy::Int)],
        required: 1,
        ret: SigTy::Float,
    }],
    doc: r#"Rounds to `digits` decimal places (default 0; a negative `digits` rounds to tens, hundreds, …), half away from zero. The rounding follows the decimal form of `x` as `to_string` shows it, so `round(2.345, 2)` is `2.35` even though the float nearest to 2.345 is slightly below it. NaN and infinities are returned unchanged; a result too large for a float is infinite."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"round(2.345, 2)"#,
            result: r#"2.35"#,
        },
        Example {
            call: r#"round(-2.5)"#,
            result: r#"-3.0"#,
        },
        Example {
            call: r#"round(1234.5, -2)"#,
            result: r#"1200.0"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let (x, digits) = match args {
        [x] => (x.as_float(), 0),
        [x, Value::Int(digits)] => (x.as_float(), *digits),
        _ => (None, 0),
    };
    match x {
        Some(x) => Ok(Value::Float(round_to(x, digits))),
        None => Err(bad_args("round", args)),
    }
}

/// `x` rounded half away from zero to `digits` decimal places (to tens,
/// hundreds, … when `digits` is negative).
///
/// The rounding is decided on the shortest decimal that reads back as `x`
/// (the text `to_string(x)` shows), not on the exact binary value, which for
/// `2.345` is a little below it: so `round(2.345, 2)` is `2.35`, as it reads.
/// The rounded decimal is then read back as the nearest float, which is
/// exactly what the literal `2.35` gives. NaN and infinities are returned as
/// they are; a result too large for a float is infinite.
pub fn round_to(x: f64, digits: i64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    if digits == 0 {
        // Exact for floats: a value below n + 0.5 never reads as n.5.
        return x.round();
    }
    fast(x, digits).unwrap_or_else(|| round_decimal(x, digits))
}

/// The common case without text: scale by 10^digits (exact), and when the
/// scaled value is clearly away from a half (further than the error of
/// both the decimal form and the multiplication, ≤ |y|·ε), round it and
/// divide back (one correctly rounded division: the nearest float to the
/// rounded decimal, as `round_decimal` gives). `None` near a half.
fn fast(x: f64, digits: i64) -> Option<f64> {
    if !(1..=15).contains(&digits) {
        return None;
    }
    let p = 10f64.powi(digits as i32);
    let y = x.abs() * p;
    if y >= 4.0e15 {
        return None;
    }
    let whole = y.trunc();
    let frac = y - whole;
    if (frac - 0.5).abs() <= y * 8.0 * f64::EPSILON + 1e-300 {
        return None;
    }
    let n = if frac > 0.5 { whole + 1.0 } else { whole };
    Some((n / p).copysign(x))
}

/// Rounding on the decimal digits themselves (always right, slower).
fn round_decimal(x: f64, digits: i64) -> f64 {
    // The shortest round-trip form, like "2.345e0", "1e20", "5e-324".
    let text = format!("{:e}", x.abs());
    let Some((mantissa, exponent)) = text.split_once('e') else {
        return x;
    };
    let Ok(exponent) = exponent.parse::<i64>() else {
        return x;
    };
    let all: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    // |x| = 0.<all> × 10^point; keep the first `keep` digits.
    let mut point = exponent + 1;
    let keep = point.saturating_add(digits);
    let Ok(keep) = usize::try_from(keep) else {
        return 0.0_f64.copysign(x);
    };
    if keep >= all.len() {
        return x;
    }
    let mut kept = all[..keep].to_vec();
    if all[keep] >= b'5' {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, b'1');
                point += 1;
                break;
            }
            i -= 1;
            if kept[i] == b'9' {
                kept[i] = b'0';
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    if kept.is_empty() {
        return 0.0_f64.copysign(x);
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let kept = String::from_utf8_lossy(&kept);
    format!("{sign}0.{kept}e{point}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_decimal_rounding() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut checked = 0;
        for i in 0..200_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = match i % 4 {
                // Values with few decimals, many of them exact halves.
                0 => (seed % 2_000_001) as f64 / 1000.0 - 1000.0,
                1 => (seed % 20_001) as f64 / 200.0,
                2 => f64::from_bits(seed) % 1e9,
                _ => (seed as f64 / u64::MAX as f64 - 0.5) * 250.0,
            };
            if !x.is_finite() {
                continue;
            }
            let digits = (seed >> 40) as i64 % 8 + 1;
            if let Some(fast) = fast(x, digits) {
                checked += 1;
                let slow = round_decimal(x, digits);
                assert_eq!(fast.to_bits(), slow.to_bits(), "round({x:?}, {digits})");
            }
        }
        assert!(checked > 150_000, "{checked}");
    }

    fn round(x: f64, digits: Option<i64>) -> f64 {
        let mut args = vec![Value::Float(x)];
        args.extend(digits.map(Value::Int));
        match eval(&args, &EvalContext::default()) {
            Ok(Value::Float(f)) => f,
            other => panic!("round({x}, {digits:?}) gave {other:?}"),
        }
    }

    #[test]
    fn half_away_from_zero() {
        for (x, digits, want) in [
            (2.345, Some(2), 2.35),
            (-2.345, Some(2), -2.35),
            (2.675, Some(2), 2.68),
            (1.005, Some(2), 1.01),
            (0.125, Some(2), 0.13),
            (2.344999, Some(2), 2.34),
            (-2.5, None, -3.0),
            (2.5, None, 3.0),
            (0.5, None, 1.0),
            (0.49999999999999994, None, 0.0),
            (1.5, Some(0), 2.0),
            (86.04, Some(1), 86.0),
            (9.99, Some(1), 10.0),
            (9.95, Some(1), 10.0),
            (0.05, Some(1), 0.1),
            (0.04, Some(1), 0.0),
            (1234.5, Some(-2), 1200.0),
            (1250.0, Some(-2), 1300.0),
            (-1250.0, Some(-2), -1300.0),
            (49.0, Some(-2), 0.0),
            (50.0, Some(-2), 100.0),
            (1e20, Some(2), 1e20),
            (1.23456789e-10, Some(12), 1.23e-10),
            (5e-324, Some(2), 0.0),
            (5e-324, Some(323), 1e-323),
            (5e-324, Some(324), 5e-324),
            (2.5, Some(i64::MAX), 2.5),
            (2.5, Some(i64::MIN), 0.0),
            (1e300, Some(-299), 1e300),
            (f64::MAX, Some(-308), f64::INFINITY),
            (0.1 + 0.2, Some(2), 0.3),
            (3.0, Some(2), 3.0),
        ] {
            assert_eq!(round(x, digits), want, "round({x}, {digits:?})");
        }
    }

    #[test]
    fn ints_promote() {
        let got = eval(&[Value::Int(1250), Value::Int(-2)], &EvalContext::default());
        assert_eq!(got.ok().and_then(|v| v.as_float()), Some(1300.0));
        let got = eval(&[Value::Int(i64::MAX)], &EvalContext::default());
        assert_eq!(got.ok().and_then(|v| v.as_float()), Some(2f64.powi(63)));
    }

    #[test]
    fn special_values() {
        assert!(round(f64::NAN, None).is_nan());
        assert!(round(f64::NAN, Some(2)).is_nan());
        assert_eq!(round(f64::INFINITY, Some(2)), f64::INFINITY);
        assert_eq!(round(f64::NEG_INFINITY, None), f64::NEG_INFINITY);
        for (x, digits) in [
            (-0.0, None),
            (-0.4, None),
            (-0.004, Some(2)),
            (-0.0, Some(3)),
        ] {
            let r = round(x, digits);
            assert!(
                r == 0.0 && r.is_sign_negative(),
                "round({x}, {digits:?}) = {r}"
            );
        }
        assert!(
            eval(
                &[Value::Float(1.0), Value::Float(1.0)],
                &EvalContext::default()
            )
            .is_err()
        );
        assert!(eval(&[Value::str("1")], &EvalContext::default()).is_err());
    }

    /// Against the exact decimal rounding of the shortest representation,
    /// for many values: the result is the float nearest to it.
    #[test]
    fn agrees_with_literals() {
        for cents in -20_000i64..20_000 {
            let x: f64 = format!("{}.{:03}", cents / 1000, (cents % 1000).abs())
                .parse()
                .unwrap_or(f64::NAN);
            let x = if cents < 0 && cents > -1000 { -x } else { x };
            let r = round(x, Some(2));
            let thousandths = cents.abs();
            let mut hundredths = thousandths / 10;
            if thousandths % 10 >= 5 {
                hundredths += 1;
            }
            let want: f64 = format!("{}.{:02}", hundredths / 100, hundredths % 100)
                .parse()
                .unwrap_or(f64::NAN);
            let want = if cents < 0 { -want } else { want };
            assert_eq!(r, want, "round({x}, 2)");
        }
    }
}
