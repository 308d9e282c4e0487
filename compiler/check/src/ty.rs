//! Dash types as the checker sees them, and the rules that relate them:
//! which value fits where, and what two branches have in common.

use std::fmt;

/// Index of a record type in [`super::Program::records`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub u32);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool,
    Int,
    Float,
    String,
    Timestamp,
    Duration,
    Json,
    Record(RecordId),
    List(Box<Ty>),
    Nullable(Box<Ty>),
    /// The type of the literal `null`.
    Null,
    /// An expression that never produces a value (`fail`).
    Never,
    /// Unknown because of an earlier error, or the element of `[]`: fits
    /// everywhere so that one mistake is reported once.
    Unknown,
}

/// How a value of one type fits where another is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    Yes,
    /// It would fit if it could not be null.
    Nullable,
    No,
}

impl Ty {
    pub fn nullable(self) -> Ty {
        match self {
            Ty::Nullable(_) | Ty::Null | Ty::Unknown | Ty::Never => self,
            other => Ty::Nullable(Box::new(other)),
        }
    }

    /// The type without its `?`.
    pub fn strip(&self) -> &Ty {
        match self {
            Ty::Nullable(inner) => inner,
            other => other,
        }
    }

    pub fn is_nullable(&self) -> bool {
        matches!(self, Ty::Nullable(_) | Ty::Null)
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    /// Unknown or never: no further errors should be reported about it.
    pub fn is_quiet(&self) -> bool {
        matches!(self, Ty::Unknown | Ty::Never)
    }

    /// Scalars can be interpolated into strings and compared in order.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Ty::Bool | Ty::Int | Ty::Float | Ty::String | Ty::Timestamp | Ty::Duration
        )
    }

    /// Does a value of type `self` fit where `expected` is required?
    pub fn fits(&self, expected: &Ty) -> Fit {
        match (self, expected) {
            (a, b) if a.is_quiet() || b.is_quiet() => Fit::Yes,
            (a, b) if a == b => Fit::Yes,
            (Ty::Int, Ty::Float) => Fit::Yes,
            (Ty::Null, Ty::Nullable(_)) => Fit::Yes,
            (Ty::Null, _) => Fit::Nullable,
            (Ty::Nullable(a), Ty::Nullable(b)) => a.fits(b),
            (a, Ty::Nullable(b)) => a.fits(b),
            (Ty::Nullable(a), b) => match a.fits(b) {
                Fit::Yes | Fit::Nullable => Fit::Nullable,
                Fit::No => Fit::No,
            },
            (Ty::List(a), Ty::List(b)) => match a.fits(b) {
                Fit::Yes => Fit::Yes,
                _ => Fit::No,
            },
            _ => Fit::No,
        }
    }

    /// The type of a value that is either `a` or `b` (branches of an `if`,
    /// elements of a list, the two sides of `??`), if there is one.
    pub fn join(a: &Ty, b: &Ty) -> Option<Ty> {
        Some(match (a, b) {
            (Ty::Never, x) | (x, Ty::Never) => x.clone(),
            (Ty::Unknown, _) | (_, Ty::Unknown) => Ty::Unknown,
            (x, y) if x == y => x.clone(),
            (Ty::Null, x) | (x, Ty::Null) => x.clone().nullable(),
            (Ty::Nullable(x), y) | (y, Ty::Nullable(x)) => Ty::join(x, y.strip())?.nullable(),
            (Ty::Int, Ty::Float) | (Ty::Float, Ty::Int) => Ty::Float,
            (Ty::List(x), Ty::List(y)) => Ty::List(Box::new(Ty::join(x, y)?)),
            _ => return None,
        })
    }

    /// A printable form, with record names looked up in `names`.
    pub fn display<'a>(&'a self, names: &'a [String]) -> TyDisplay<'a> {
        TyDisplay { ty: self, names }
    }
}

pub struct TyDisplay<'a> {
    ty: &'a Ty,
    names: &'a [String],
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ty {
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Float => f.write_str("float"),
            Ty::String => f.write_str("string"),
            Ty::Timestamp => f.write_str("timestamp"),
            Ty::Duration => f.write_str("duration"),
            Ty::Json => f.write_str("json"),
            Ty::Record(id) => f.write_str(
                self.names
                    .get(id.0 as usize)
                    .map(String::as_str)
                    .unwrap_or("?"),
            ),
            Ty::List(inner) => write!(f, "[{}]", inner.display(self.names)),
            Ty::Nullable(inner) => write!(f, "{}?", inner.display(self.names)),
            Ty::Null => f.write_str("null"),
            Ty::Never => f.write_str("never"),
            Ty::Unknown => f.write_str("_"),
        }
    }
}

/// The built-in scalar type of a name, if it is one.
pub fn builtin(name: &str) -> Option<Ty> {
    Some(match name {
        "bool" => Ty::Bool,
        "int" => Ty::Int,
        "float" => Ty::Float,
        "string" => Ty::String,
        "timestamp" => Ty::Timestamp,
        "duration" => Ty::Duration,
        "json" => Ty::Json,
        _ => return None,
    })
}

pub const BUILTIN_NAMES: &[&str] = &[
    "bool",
    "int",
    "float",
    "string",
    "timestamp",
    "duration",
    "json",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting() {
        assert_eq!(Ty::Int.fits(&Ty::Float), Fit::Yes);
        assert_eq!(Ty::Float.fits(&Ty::Int), Fit::No);
        assert_eq!(Ty::Float.nullable().fits(&Ty::Float), Fit::Nullable);
        assert_eq!(Ty::Null.fits(&Ty::String.nullable()), Fit::Yes);
        assert_eq!(Ty::String.fits(&Ty::String.nullable()), Fit::Yes);
    }

    #[test]
    fn joining() {
        assert_eq!(Ty::join(&Ty::Int, &Ty::Float), Some(Ty::Float));
        assert_eq!(Ty::join(&Ty::Null, &Ty::Int), Some(Ty::Int.nullable()));
        assert_eq!(Ty::join(&Ty::Never, &Ty::String), Some(Ty::String));
        assert_eq!(Ty::join(&Ty::String, &Ty::Int), None);
    }
}
