//! The value-level semantics of IR operations: checked integer
//! arithmetic, IEEE floats, time arithmetic, comparisons, indexing.

use std::cmp::Ordering;

use super::{Failure, RowErrorCode};
use crate::{Arith, ArithOp, CmpOp};
use dash_check::value::Value;

fn overflow(what: &str) -> Failure {
    Failure::Row(
        RowErrorCode::Overflow,
        format!("{what} overflows a 64-bit integer"),
    )
}

fn div_zero() -> Failure {
    Failure::Row(RowErrorCode::DivisionByZero, "division by zero".into())
}

pub(super) fn field(base: &Value, path: &[u32]) -> Value {
    let mut v = base;
    for i in path {
        match v {
            Value::Record(r) => match r.fields.get(*i as usize) {
                Some(f) => v = f,
                None => return Value::Null,
            },
            _ => return Value::Null,
        }
    }
    v.clone()
}

/// Every NaN an arithmetic operation makes is the one canonical NaN
/// (positive, quiet, no payload): its bits would otherwise depend on the
/// order the hardware saw the operands in.
pub fn canonical_nan(x: f64) -> f64 {
    if x.is_nan() { f64::NAN } else { x }
}

pub(super) fn neg(kind: Arith, v: &Value) -> Result<Value, Failure> {
    Ok(match (kind, v) {
        (_, Value::Null) => Value::Null,
        (_, Value::Float(f)) => Value::Float(-f),
        (_, Value::Int(i)) => Value::Int(i.checked_neg().ok_or_else(|| overflow("negation"))?),
        (_, Value::Duration(d)) => {
            Value::Duration(d.checked_neg().ok_or_else(|| overflow("negation"))?)
        }
        (_, other) => other.clone(),
    })
}

pub(super) fn arith(op: ArithOp, kind: Arith, a: &Value, b: &Value) -> Result<Value, Failure> {
    use Value::*;
    if a.is_null() || b.is_null() {
        return Ok(Null);
    }
    Ok(match kind {
        Arith::Float => {
            let (x, y) = (
                a.as_float().unwrap_or(f64::NAN),
                b.as_float().unwrap_or(f64::NAN),
            );
            Float(canonical_nan(match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div => x / y,
                ArithOp::Rem => x % y,
            }))
        }
        Arith::Str => Value::string(format!("{}{}", a.to_text(), b.to_text())),
        Arith::Int => {
            let (x, y) = (a.as_int().unwrap_or(0), b.as_int().unwrap_or(0));
            Int(int_op(op, x, y)?)
        }
        Arith::Time => match (op, a, b) {
            (ArithOp::Add, Timestamp(t), Duration(d))
            | (ArithOp::Add, Duration(d), Timestamp(t)) => Timestamp(
                t.checked_add(*d)
                    .ok_or_else(|| overflow("timestamp arithmetic"))?,
            ),
            (ArithOp::Sub, Timestamp(t), Duration(d)) => Timestamp(
                t.checked_sub(*d)
                    .ok_or_else(|| overflow("timestamp arithmetic"))?,
            ),
            (ArithOp::Sub, Timestamp(x), Timestamp(y)) => Duration(
                x.checked_sub(*y)
                    .ok_or_else(|| overflow("timestamp arithmetic"))?,
            ),
            (_, Duration(x), Duration(y)) => Duration(int_op(op, *x, *y)?),
            (ArithOp::Mul, Duration(d), Int(n)) | (ArithOp::Mul, Int(n), Duration(d)) => Duration(
                d.checked_mul(*n)
                    .ok_or_else(|| overflow("duration arithmetic"))?,
            ),
            (ArithOp::Div, Duration(d), Int(n)) => Duration(int_op(ArithOp::Div, *d, *n)?),
            _ => Null,
        },
    })
}

fn int_op(op: ArithOp, x: i64, y: i64) -> Result<i64, Failure> {
    match op {
        ArithOp::Add => x.checked_add(y).ok_or_else(|| overflow("addition")),
        ArithOp::Sub => x.checked_sub(y).ok_or_else(|| overflow("subtraction")),
        ArithOp::Mul => x.checked_mul(y).ok_or_else(|| overflow("multiplication")),
        ArithOp::Div if y == 0 => Err(div_zero()),
        ArithOp::Div => x.checked_div(y).ok_or_else(|| overflow("division")),
        ArithOp::Rem if y == 0 => Err(div_zero()),
        // i64::MIN % -1 is mathematically 0 (only the division overflows).
        ArithOp::Rem if y == -1 => Ok(0),
        ArithOp::Rem => x.checked_rem(y).ok_or_else(|| overflow("remainder")),
    }
}

pub(super) fn compare(op: CmpOp, a: &Value, b: &Value) -> bool {
    match op {
        CmpOp::Eq => a.equals(b),
        CmpOp::Ne => !a.equals(b),
        _ => match a.compare(b) {
            // NaN and incomparable values: every ordering is false (IEEE).
            None => false,
            Some(ord) => match op {
                CmpOp::Lt => ord == Ordering::Less,
                CmpOp::Le => ord != Ordering::Greater,
                CmpOp::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            },
        },
    }
}

pub(super) fn to_float(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Float(*i as f64),
        Value::List(items) => Value::list(items.iter().map(to_float).collect()),
        other => other.clone(),
    }
}

pub(super) fn index(list: &Value, index: &Value) -> Result<Value, Failure> {
    let (Value::List(items), Some(i)) = (list, index.as_int()) else {
        return Ok(Value::Null);
    };
    usize::try_from(i)
        .ok()
        .and_then(|i| items.get(i))
        .cloned()
        .ok_or_else(|| {
            Failure::Row(
                RowErrorCode::Index,
                format!(
                    "index {i} is out of range for a list of {} elements",
                    items.len()
                ),
            )
        })
}
