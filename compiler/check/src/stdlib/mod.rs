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

use std::fmt::{self, Write as _};

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

impl Example {
    /// Whether `result` is a Dash expression (not a description).
    pub fn is_evaluable(&self) -> bool {
        !self.result.starts_with('(')
    }

    /// The example as one boolean Dash expression: `call == result`, or
    /// just `call` when the result is `true`.
    pub fn assertion(&self) -> String {
        if self.result == "true" {
            return self.call.to_string();
        }
        if is_plain_call(self.call) {
            format!("{} == {}", self.call, self.result)
        } else {
            format!("({}) == {}", self.call, self.result)
        }
    }
}

/// Whether `text` is one call `name(…)` (so `text == x` needs no
/// parentheses).
fn is_plain_call(text: &str) -> bool {
    let Some(open) = text.find('(') else {
        return false;
    };
    if open == 0
        || !text[..open]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return false;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip_while(|&(i, _)| i < open) {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1 == text.len();
                }
            }
            _ => {}
        }
    }
    false
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

/// Every evaluable example as a Dash test file, one
/// `test "lower example 1" { lower("ÀBC") == "àbc" }` per example, for the
/// interpreter's test suite. Examples whose result is a description are
/// left out.
pub fn examples_as_test_program() -> String {
    let mut out = String::from(
        "// Every example of docs/functions.md that can run, as a test.\n\
         // Generated by `crate::stdlib::examples_as_test_program`.\n",
    );
    for b in BUILTINS {
        for (i, ex) in b.examples.iter().enumerate() {
            if ex.is_evaluable() {
                let _ = write!(
                    out,
                    "\ntest \"{} example {}\" {{\n  {}\n}}\n",
                    b.name,
                    i + 1,
                    ex.assertion()
                );
            }
        }
    }
    out
}

/// The text of `docs/functions.md`: every built-in with its signatures,
/// documentation, whether it can fail the row, and its examples.
pub fn functions_markdown() -> String {
    let mut out = String::from(
        "# Built-in functions\n\
         \n\
         <!-- Generated from compiler/check/src/stdlib (one file per function): do not edit.\n     \
         Regenerate with `UPDATE_DOCS=1 cargo test -p dash-check stdlib`. -->\n\
         \n\
         A nullable value is not accepted where a signature has a non-nullable\n\
         type: handle null first (`x ?? default`, `if x != null`,\n\
         `require x != null`). An `int` is accepted wherever a `float`\n\
         parameter is. A function that *can fail the row* sends the\n\
         record to the DLQ when it fails, unless the call is caught with\n\
         `?? default`. Where a function's doc says a literal argument is\n\
         checked with the program (a unit, a separator), a string literal\n\
         there that the function would refuse is an error (E0029) on the\n\
         literal, not a failure of every row.\n\
         \n",
    );
    let index: Vec<String> = BUILTINS
        .iter()
        .map(|b| format!("[`{0}`](#{0})", b.name))
        .collect();
    out.push_str(&index.join(" · "));
    out.push('\n');
    for b in BUILTINS {
        let _ = write!(
            out,
            "\n## `{}`\n\n```text\n{}\n```\n\n{}\n\n{}\n",
            b.name,
            b.signature_text(),
            b.doc,
            if b.fallible {
                "Can fail the row: **yes** (catch with `??`)."
            } else {
                "Can fail the row: no."
            }
        );
        if !b.examples.is_empty() {
            out.push_str("\n```dash\n");
            for ex in b.examples {
                let _ = writeln!(out, "{} → {}", ex.call, ex.result);
            }
            out.push_str("```\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dash_syntax::ast::{BinOp, DeclKind, Expr, ExprKind, StrPart, UnaryOp};
    use dash_syntax::source::FileId;
    use std::sync::Arc;

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

    #[test]
    fn plain_calls() {
        assert!(is_plain_call(r#"lower("ÀBC")"#));
        assert!(is_plain_call(r#"f(")(", g(1))"#));
        assert!(!is_plain_call(r#"to_int("x") ?? -1"#));
        assert!(!is_plain_call(r#"hash64("a") == hash64("a")"#));
        assert!(!is_plain_call("1 + 2"));
        assert!(!is_plain_call("(f(1))"));
    }

    /// docs/functions.md is generated; it must match the stdlib files.
    #[test]
    fn functions_doc_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/functions.md");
        let want = functions_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            if let Err(e) = std::fs::write(&path, &want) {
                panic!("cannot write {}: {e}", path.display());
            }
            return;
        }
        let have = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .replace("\r\n", "\n");
        assert!(
            have == want,
            "docs/functions.md is out of date with compiler/check/src/stdlib; regenerate it with \
             `UPDATE_DOCS=1 cargo test -p dash-check stdlib`"
        );
    }

    /// The examples program parses and type-checks.
    #[test]
    fn examples_program_checks() {
        let program = examples_as_test_program();
        let analysis = crate::analyze_inputs(vec![(
            "examples.dash".to_string(),
            crate::Input::Text(program.clone()),
        )]);
        let errors: Vec<String> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{:?} {} at {:?}", d.code, d.message, d.primary.span))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{program}");
    }

    /// Every evaluable example holds when run with the built-ins' `eval`
    /// (a small evaluator for literals, calls, `??` and comparisons,
    /// until the interpreter runs the examples program itself).
    #[test]
    fn examples_hold() {
        let program = examples_as_test_program();
        let parsed = dash_syntax::parse(FileId(0), &program);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let cx = EvalContext {
            now: 1_767_225_600_000_000,
        };
        let mut count = 0;
        for decl in &parsed.file.decls {
            let DeclKind::Test(test) = &decl.kind else {
                continue;
            };
            count += 1;
            let got = eval_expr(&test.expr, &cx);
            assert!(
                matches!(got, Ok(Value::Bool(true))),
                "{}: {:?}",
                test.name.name,
                got
            );
        }
        let expected: usize = BUILTINS
            .iter()
            .map(|b| b.examples.iter().filter(|e| e.is_evaluable()).count())
            .sum();
        assert_eq!(count, expected);
    }

    fn eval_expr(e: &Expr, cx: &EvalContext) -> Result<Value, String> {
        Ok(match &e.kind {
            ExprKind::Int(i) => Value::Int(*i),
            ExprKind::Float(f) => Value::Float(*f),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Null => Value::Null,
            ExprKind::Duration(d) => Value::Duration(*d),
            ExprKind::Timestamp(t) => Value::Timestamp(*t),
            ExprKind::Str(parts) => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        StrPart::Text(t) => s.push_str(t),
                        StrPart::Interp(e) => s.push_str(&eval_expr(e, cx)?.to_text()),
                    }
                }
                Value::string(s)
            }
            ExprKind::List(items) => Value::List(
                items
                    .iter()
                    .map(|i| eval_expr(i, cx))
                    .collect::<Result<Arc<[Value]>, String>>()?,
            ),
            ExprKind::Paren(inner) => eval_expr(inner, cx)?,
            ExprKind::Call { func, args } => {
                let b = lookup(&func.name).ok_or(format!("no builtin {}", func.name))?;
                let args = args
                    .iter()
                    .map(|a| eval_expr(a, cx))
                    .collect::<Result<Vec<_>, _>>()?;
                (b.eval)(&args, cx)?
            }
            ExprKind::Unary { op, operand } => match (op, eval_expr(operand, cx)?) {
                (UnaryOp::Neg, Value::Int(i)) => Value::Int(-i),
                (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
                (UnaryOp::Neg, Value::Duration(d)) => Value::Duration(-d),
                (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
                (op, v) => return Err(format!("unsupported {op:?} {v:?}")),
            },
            ExprKind::Binary { op, lhs, rhs, .. } => {
                if *op == BinOp::Coalesce {
                    return match eval_expr(lhs, cx) {
                        Ok(Value::Null) | Err(_) => eval_expr(rhs, cx),
                        ok => ok,
                    };
                }
                let (a, b) = (eval_expr(lhs, cx)?, eval_expr(rhs, cx)?);
                let ord = a.compare(&b);
                Value::Bool(match op {
                    BinOp::Eq => a.equals(&b),
                    BinOp::Ne => !a.equals(&b),
                    BinOp::Lt => ord.is_some_and(|o| o.is_lt()),
                    BinOp::Le => ord.is_some_and(|o| o.is_le()),
                    BinOp::Gt => ord.is_some_and(|o| o.is_gt()),
                    BinOp::Ge => ord.is_some_and(|o| o.is_ge()),
                    _ => return Err(format!("unsupported operator {op:?}")),
                })
            }
            other => return Err(format!("unsupported expression {other:?}")),
        })
    }

    /// Wrong-typed, null and extreme arguments give `Err` or a value,
    /// never a panic, for every built-in and every arity up to 3.
    #[test]
    fn no_panics_on_any_arguments() {
        let samples = vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::Int(0),
            Value::Int(i64::MAX),
            Value::Float(f64::NAN),
            Value::Float(-0.0),
            Value::Float(f64::INFINITY),
            Value::Float(1e300),
            Value::str(""),
            Value::str("é\u{301}🎉 x"),
            Value::str("%Y-%m-%dT%H:%M:%S%z"),
            Value::str("a.b[0]"),
            Value::str("(["),
            Value::str("%"),
            Value::Timestamp(i64::MIN),
            Value::Timestamp(i64::MAX),
            Value::Duration(i64::MIN),
            Value::Duration(0),
            Value::Duration(i64::MAX),
            Value::Json(Arc::new(serde_json::json!({"a": {"b": [1, null]}}))),
            Value::Json(Arc::new(serde_json::json!(18446744073709551615u64))),
            Value::Json(Arc::new(serde_json::Value::Null)),
            Value::list(vec![Value::str("a"), Value::Int(1)]),
            Value::list(vec![]),
        ];
        let cx = EvalContext { now: i64::MIN };
        for b in BUILTINS {
            let _ = (b.eval)(&[], &cx);
            for x in &samples {
                let _ = (b.eval)(std::slice::from_ref(x), &cx);
                for y in &samples {
                    let _ = (b.eval)(&[x.clone(), y.clone()], &cx);
                    for z in &samples {
                        let _ = (b.eval)(&[x.clone(), y.clone(), z.clone()], &cx);
                    }
                }
                let four = vec![x.clone(); 4];
                let _ = (b.eval)(&four, &cx);
            }
        }
    }

    /// The errors of a transform whose result is `to_string(call)`, as
    /// (code, text of the primary span, message).
    fn call_errors(call: &str) -> Vec<(dash_syntax::diag::Code, String, String)> {
        let program = format!("transform t(s: string) -> string {{\n  to_string({call})\n}}\n");
        let analysis = crate::analyze_inputs(vec![(
            "t.dash".to_string(),
            crate::Input::Text(program.clone()),
        )]);
        analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                let span = d.primary.span;
                (
                    d.code,
                    program[span.start as usize..span.end as usize].to_string(),
                    d.message.clone(),
                )
            })
            .collect()
    }

    /// A literal unit, fill character, separator or namespace that would
    /// fail every row is E0029 on the literal; the same call with a
    /// computed argument or a valid literal checks clean.
    #[test]
    fn literal_arguments_are_checked() {
        use dash_syntax::diag::Code;
        for (call, literal, why) in [
            (
                r#"date_trunc("fortnight", @2026-01-01T00:00:00Z)"#,
                r#""fortnight""#,
                "unknown unit",
            ),
            (
                r#"date_trunc("Hour", @2026-01-01T00:00:00Z)"#,
                r#""Hour""#,
                "did you mean \"hour\"",
            ),
            (
                r#"pad_left(s, 3, "ab")"#,
                r#""ab""#,
                "exactly one character",
            ),
            (r#"pad_right(s, 3, "")"#, r#""""#, "exactly one character"),
            (r#"parse_key_value(s, "", ",")"#, r#""""#, "not be empty"),
            (r#"parse_key_value(s, "=", "")"#, r#""""#, "not be empty"),
            (r#"uuid_v5("dns", s)"#, r#""dns""#, "not a UUID"),
        ] {
            let errors = call_errors(call);
            assert_eq!(errors.len(), 1, "{call}: {errors:?}");
            let (code, text, message) = &errors[0];
            assert_eq!(*code, Code::InvalidLiteral, "{call}");
            assert_eq!(text, literal, "{call}");
            assert!(message.contains(why), "{call}: {message}");
        }
        for call in [
            r#"date_trunc("week", @2026-01-01T00:00:00Z)"#,
            "date_trunc(s, @2026-01-01T00:00:00Z)",
            r#"date_trunc("${s}", @2026-01-01T00:00:00Z)"#,
            r#"pad_left(s, 3, "é")"#,
            "pad_right(s, 3, s)",
            r#"parse_key_value(s, "=", " ")"#,
            r#"uuid_v5("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "x")"#,
            // Data arguments are not checked: a literal may fail on purpose.
            r#"parse_duration("soon") ?? 0s"#,
        ] {
            assert_eq!(call_errors(call), vec![], "{call}");
        }
        for check in LITERAL_CHECKS {
            let b = lookup(check.builtin).expect("a built-in");
            assert!(
                b.signatures.iter().all(|s| {
                    s.params
                        .get(check.param)
                        .is_some_and(|(_, ty)| *ty == SigTy::String)
                }),
                "{} {}",
                check.builtin,
                check.param
            );
        }
    }

    #[test]
    fn quoting_is_short() {
        assert_eq!(quote("x"), "\"x\"");
        let long = "é".repeat(100);
        assert_eq!(quote(&long), format!("\"{}\"…", "é".repeat(40)));
    }

    #[test]
    fn wrong_arguments_are_errors() {
        let cx = EvalContext::default();
        for b in BUILTINS {
            if b.name == "now" {
                continue;
            }
            let r = (b.eval)(&[Value::Null, Value::Null, Value::Null, Value::Null], &cx);
            assert!(r.is_err(), "{}", b.name);
        }
    }
}
