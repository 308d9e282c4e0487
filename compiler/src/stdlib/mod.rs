//! The standard library: one file per built-in function, holding its
//! signatures, its documentation and its examples. [`BUILTINS`] lists them.
//! The checker resolves calls against these signatures; the examples double
//! as tests and as the text of `docs/functions.md`.

mod abs;
mod ceil;
mod clamp;
mod contains;
mod ends_with;
mod floor;
mod format_timestamp;
mod get;
mod hash64;
mod join;
mod len;
mod lower;
mod matches;
mod max;
mod min;
mod now;
mod parse_timestamp;
mod pow;
mod replace;
mod round;
mod sha256;
mod split;
mod sqrt;
mod starts_with;
mod substr;
mod time_bucket;
mod to_float;
mod to_int;
mod to_string;
mod trim;
mod upper;

use std::fmt;

/// A parameter or result type in a signature. `T` is the one type
/// variable: it is bound by the first argument that mentions it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigTy {
    Bool,
    Int,
    Float,
    String,
    Timestamp,
    Duration,
    Json,
    /// `json?`
    NullableJson,
    /// `[string]`
    StringList,
    /// `T`, any type.
    T,
    /// `[T]`
    ListOfT,
    /// Any of bool int float string timestamp duration.
    Scalar,
}

impl fmt::Display for SigTy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SigTy::Bool => "bool",
            SigTy::Int => "int",
            SigTy::Float => "float",
            SigTy::String => "string",
            SigTy::Timestamp => "timestamp",
            SigTy::Duration => "duration",
            SigTy::Json => "json",
            SigTy::NullableJson => "json?",
            SigTy::StringList => "[string]",
            SigTy::T => "T",
            SigTy::ListOfT => "[T]",
            SigTy::Scalar => "scalar",
        })
    }
}

/// One overload: named parameters (the last `params.len() - required` are
/// optional) and a result.
#[derive(Clone, Copy, Debug)]
pub struct Signature {
    pub params: &'static [(&'static str, SigTy)],
    pub required: usize,
    pub ret: SigTy,
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, (name, ty)) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name}: {ty}")?;
            if i >= self.required {
                f.write_str(" (optional)")?;
            }
        }
        write!(f, ") -> {}", self.ret)
    }
}

/// An example call and its result, both written in Dash.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    pub call: &'static str,
    pub result: &'static str,
}

#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub signatures: &'static [Signature],
    pub doc: &'static str,
    /// Whether a call can fail the row (catch it with `??`).
    pub fallible: bool,
    pub examples: &'static [Example],
}

impl Builtin {
    /// `round(x: float, digits: int (optional)) -> float`, one line per overload.
    pub fn signature_text(&self) -> String {
        self.signatures
            .iter()
            .map(|s| format!("{}{s}", self.name))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub const BUILTINS: &[&Builtin] = &[
    &lower::LOWER,
    &upper::UPPER,
    &trim::TRIM,
    &len::LEN,
    &contains::CONTAINS,
    &starts_with::STARTS_WITH,
    &ends_with::ENDS_WITH,
    &replace::REPLACE,
    &substr::SUBSTR,
    &split::SPLIT,
    &join::JOIN,
    &matches::MATCHES,
    &abs::ABS,
    &round::ROUND,
    &floor::FLOOR,
    &ceil::CEIL,
    &min::MIN,
    &max::MAX,
    &clamp::CLAMP,
    &sqrt::SQRT,
    &pow::POW,
    &to_int::TO_INT,
    &to_float::TO_FLOAT,
    &to_string::TO_STRING,
    &parse_timestamp::PARSE_TIMESTAMP,
    &format_timestamp::FORMAT_TIMESTAMP,
    &time_bucket::TIME_BUCKET,
    &now::NOW,
    &get::GET,
    &sha256::SHA256,
    &hash64::HASH64,
];

pub fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().copied().find(|b| b.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_documented() {
        for (i, b) in BUILTINS.iter().enumerate() {
            assert!(!b.doc.is_empty(), "{} has no doc", b.name);
            assert!(!b.examples.is_empty(), "{} has no example", b.name);
            assert!(
                BUILTINS[..i].iter().all(|o| o.name != b.name),
                "{} twice",
                b.name
            );
        }
    }
}
