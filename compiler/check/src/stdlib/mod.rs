//! The standard library: one file per built-in function, holding its
//! signatures, its documentation and its examples. [`BUILTINS`] lists them.
//! The checker resolves calls against these signatures, the interpreter runs
//! [`Builtin::eval`], and the examples double as tests
//! ([`examples_as_test_program`]) and as the text of `docs/functions.md`
//! ([`functions_markdown`]).

mod abs;
mod as_bool;
mod as_float;
mod as_int;
mod as_list;
mod as_string;
mod base64_decode;
mod base64_encode;
mod calendar;
mod ceil;
mod clamp;
mod contains;
mod date_trunc;
mod day;
mod day_of_year;
mod encode_json;
mod ends_with;
mod floor;
mod format_timestamp;
mod from_unix_millis;
mod from_unix_seconds;
mod get;
mod hash64;
mod hex_encode;
mod hmac_sha256;
mod hour;
mod index_of;
mod join;
mod len;
mod lower;
mod matches;
mod max;
mod md5;
mod min;
mod minute;
mod month;
mod now;
mod pad_left;
mod pad_right;
mod parse_duration;
mod parse_json;
mod parse_key_value;
mod parse_query;
mod parse_timestamp;
mod percent;
mod pow;
mod repeat;
mod replace;
mod round;

/// The duration text syntax (`1h30m`), shared with input decoding.
pub use parse_duration::parse as parse_duration_text;
/// `round(x, digits)`, for code that must round exactly as Dash does.
pub use round::round_to;
mod second;
mod sha1;
mod sha256;
mod split;
mod sqrt;
mod starts_with;
mod substr;
mod time_bucket;
mod to_float;
mod to_int;
mod to_json;
mod to_string;
mod trim;
mod unix_millis;
mod unix_seconds;
mod upper;
mod url_decode;
mod url_encode;
mod uuid_v5;
mod weekday;
mod year;

use std::fmt;

use crate::value::Value;

/// What a built-in may read besides its arguments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EvalContext {
    /// Microseconds since the Unix epoch: when the current batch started
    /// processing. `now()` returns it.
    pub now: i64,
}

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
    /// `int?`
    NullableInt,
    /// `float?`
    NullableFloat,
    /// `string?`
    NullableString,
    /// `bool?`
    NullableBool,
    /// `json?`
    NullableJson,
    /// `[json]?`
    NullableListOfJson,
    /// `[string]`
    StringList,
    /// `T`, any type.
    T,
    /// `[T]`
    ListOfT,
    /// Any of bool int float string timestamp duration.
    Scalar,
    /// Any type, nullable ones and lists included, that has no record
    /// type in it (the type of the first argument, as `Scalar`): a
    /// built-in's `eval` cannot see record field names.
    AnyButRecord,
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
            SigTy::NullableInt => "int?",
            SigTy::NullableFloat => "float?",
            SigTy::NullableString => "string?",
            SigTy::NullableBool => "bool?",
            SigTy::NullableJson => "json?",
            SigTy::NullableListOfJson => "[json]?",
            SigTy::StringList => "[string]",
            SigTy::T => "T",
            SigTy::ListOfT => "[T]",
            SigTy::Scalar => "scalar",
            SigTy::AnyButRecord => "any (no records)",
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

/// An example call and its result, both written in Dash. A result that
/// starts with `(` is a description, not a Dash expression (for calls
/// whose arguments cannot be written as literals); such examples are
/// documented but not run.
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
    /// The implementation. `args` fit one of `signatures` (an omitted
    /// optional argument is absent, not null; an int may stand for a
    /// float). `Err` is the message that fails the row, like
    /// `to_int: "x" is not an integer`. Arguments no signature accepts give
    /// `Err` as well, never a panic.
    pub eval: fn(&[Value], &EvalContext) -> Result<Value, String>,
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
    &index_of::INDEX_OF,
    &pad_left::PAD_LEFT,
    &pad_right::PAD_RIGHT,
    &repeat::REPEAT,
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
    &date_trunc::DATE_TRUNC,
    &year::YEAR,
    &month::MONTH,
    &day::DAY,
    &hour::HOUR,
    &minute::MINUTE,
    &second::SECOND,
    &weekday::WEEKDAY,
    &day_of_year::DAY_OF_YEAR,
    &unix_seconds::UNIX_SECONDS,
    &unix_millis::UNIX_MILLIS,
    &from_unix_seconds::FROM_UNIX_SECONDS,
    &from_unix_millis::FROM_UNIX_MILLIS,
    &parse_duration::PARSE_DURATION,
    &now::NOW,
    &get::GET,
    &parse_json::PARSE_JSON,
    &to_json::TO_JSON,
    &encode_json::ENCODE_JSON,
    &as_int::AS_INT,
    &as_float::AS_FLOAT,
    &as_string::AS_STRING,
    &as_bool::AS_BOOL,
    &as_list::AS_LIST,
    &parse_query::PARSE_QUERY,
    &parse_key_value::PARSE_KEY_VALUE,
    &url_encode::URL_ENCODE,
    &url_decode::URL_DECODE,
    &base64_encode::BASE64_ENCODE,
    &base64_decode::BASE64_DECODE,
    &hex_encode::HEX_ENCODE,
    &sha256::SHA256,
    &sha1::SHA1,
    &md5::MD5,
    &hmac_sha256::HMAC_SHA256,
    &uuid_v5::UUID_V5,
    &hash64::HASH64,
];

/// A check of a literal string argument, run when the program is checked:
/// a call of `builtin` whose argument `param` (counted from 0) is a string
/// literal without interpolation is reported (E0029, on the literal) when
/// `check` refuses its text. `check` is the same test the built-in makes
/// at run time, so a literal that passes cannot fail the row for this
/// reason. `Err` is the reason, like `unknown unit "fortnight"`.
#[derive(Clone, Copy, Debug)]
pub struct LiteralCheck {
    pub builtin: &'static str,
    pub param: usize,
    pub check: fn(&str) -> Result<(), String>,
}

pub const LITERAL_CHECKS: &[LiteralCheck] = &[
    LiteralCheck {
        builtin: "date_trunc",
        param: 0,
        check: date_trunc::check_unit,
    },
    LiteralCheck {
        builtin: "pad_left",
        param: 2,
        check: pad_left::check_fill,
    },
    LiteralCheck {
        builtin: "pad_right",
        param: 2,
        check: pad_left::check_fill,
    },
    LiteralCheck {
        builtin: "parse_key_value",
        param: 1,
        check: parse_key_value::check_separator,
    },
    LiteralCheck {
        builtin: "parse_key_value",
        param: 2,
        check: parse_key_value::check_separator,
    },
    LiteralCheck {
        builtin: "uuid_v5",
        param: 0,
        check: uuid_v5::check_namespace,
    },
];

/// The checks of literal arguments of `builtin`'s parameter `param`.
pub fn literal_checks(builtin: &str, param: usize) -> impl Iterator<Item = &'static LiteralCheck> {
    LITERAL_CHECKS
        .iter()
        .filter(move |c| c.builtin == builtin && c.param == param)
}

/// The longest string (in UTF-8 bytes) that `repeat`, `pad_left` and
/// `pad_right` build: 10 MiB. A longer result fails the row.
const MAX_BUILT_BYTES: usize = 10 * 1024 * 1024;

/// Bytes as lowercase hex, two digits each.
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

pub fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().copied().find(|b| b.name == name)
}

/// The name of a value's type, for failure messages.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) => "string",
        Value::Timestamp(_) => "timestamp",
        Value::Duration(_) => "duration",
        Value::Json(_) => "json",
        Value::List(_) => "list",
        Value::Record(_) => "record",
    }
}

/// The failure for arguments that fit no signature (the checker rules
/// them out; the interpreter still must not panic).
/// A built-in of one number, computed as a float: `f(x)`.
fn float_unary(name: &str, args: &[Value], f: fn(f64) -> f64) -> Result<Value, String> {
    match args {
        [x] => x
            .as_float()
            .map(|x| Value::Float(f(x)))
            .ok_or_else(|| bad_args(name, args)),
        _ => Err(bad_args(name, args)),
    }
}

fn bad_args(name: &str, args: &[Value]) -> String {
    let tys: Vec<&str> = args.iter().map(type_name).collect();
    format!("{name}: cannot be called with ({})", tys.join(", "))
}

/// `null`, `bool`, `number`, `string`, `array` or `object`.
fn json_kind(j: &serde_json::Value) -> &'static str {
    match j {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// `s` quoted for a failure message, cut after 40 characters.
fn quote(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{:?}…", &s[..i]),
        None => format!("{s:?}"),
    }
}

mod docs;

pub use docs::{examples_as_test_program, functions_markdown};

#[cfg(test)]
mod tests;
