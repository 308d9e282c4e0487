//! Differential test: random well-typed transforms over random records
//! (nulls, i64::MIN/MAX, NaN, ±0.0, infinities, empty, non-ASCII and huge
//! strings), run by the interpreter and by the JIT. They must agree on
//! every output value (floats bit for bit), every skip and every failure
//! (code, message and span).
//!
//! `DASH_DIFF_CASES=N` sets the number of (program, record) cases (default
//! 4,000); `DASH_DIFF_SEED=S` the seed. A disagreement prints the program
//! as a replayable project (`diff.dash` with a source and a stdout sink,
//! `input.jsonl`) and prints it with the `dashc run` commands to compare.

use dash_check::RecordId;
use dash_check::analyze;
use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_ir::columns::Columns;
use dash_ir::decode::encode_record;
use dash_ir::interp::Outcome;
use dash_ir::lower::lower;
use dash_jit::Jit;
use dash_jit::engine::Engine;
use dash_syntax::SourceFile;

/// xorshift64*: reproducible from the seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const INPUT: &str = "type In {\n  i: int\n  j: int\n  f: float\n  g: float\n  s: string\n  t: string\n  b: bool\n  ni: int?\n  nf: float?\n  ns: string?\n  ts: timestamp\n  d: duration\n  p: P?\n}\n\n\
type P {\n  x: float\n  s: string?\n}\n\n\
type Out {\n  a: int\n  x: float\n  y: string\n  z: bool\n  w: timestamp\n  v: duration\n  n: int?\n  o: json?\n}\n";

#[derive(Clone, Copy, PartialEq)]
enum T {
    Int,
    Float,
    Str,
    Bool,
    Ts,
    Dur,
}

/// A random expression of type `ty`, at most `depth` deep.
fn expr(rng: &mut Rng, ty: T, depth: u32, locals: &[(String, T)]) -> String {
    let leaf = depth == 0 || rng.chance(30);
    let local: Vec<&String> = locals
        .iter()
        .filter(|(_, t)| *t == ty)
        .map(|(n, _)| n)
        .collect();
    if !local.is_empty() && rng.chance(25) {
        return rng.pick(&local).to_string();
    }
    let d = depth.saturating_sub(1);
    match ty {
        T::Int => {
            if leaf {
                return rng
                    .pick(&[
                        "r.i",
                        "r.j",
                        "0",
                        "1",
                        "-1",
                        "2",
                        "7",
                        "9223372036854775807",
                        "(r.ni ?? 3)",
                    ])
                    .to_string();
            }
            match rng.below(14) {
                0..=4 => {
                    let op = rng.pick(&["+", "-", "*", "/", "%"]);
                    format!(
                        "({} {op} {})",
                        expr(rng, T::Int, d, locals),
                        expr(rng, T::Int, d, locals)
                    )
                }
                5 => format!("-{}", expr(rng, T::Int, d, locals)),
                6 => format!(
                    "if {} {{ {} }} else {{ {} }}",
                    expr(rng, T::Bool, d, locals),
                    expr(rng, T::Int, d, locals),
                    expr(rng, T::Int, d, locals)
                ),
                7 => format!(
                    "(({} / {}) ?? 42)",
                    expr(rng, T::Int, d, locals),
                    expr(rng, T::Int, d, locals)
                ),
                8 => format!("len({})", expr(rng, T::Str, d, locals)),
                9 => format!(
                    "{}({})",
                    rng.pick(&[
                        "year",
                        "month",
                        "day",
                        "hour",
                        "minute",
                        "second",
                        "weekday",
                        "day_of_year",
                        "unix_seconds",
                        "unix_millis",
                    ]),
                    expr(rng, T::Ts, d, locals)
                ),
                10 => format!(
                    "(index_of({}, {}) ?? -1)",
                    expr(rng, T::Str, d, locals),
                    expr(rng, T::Str, d, locals)
                ),
                11 => format!(
                    "(index_of({}, {}) ?? {})",
                    expr(rng, T::Str, d, locals),
                    rng.pick(&["\"x\"", "\"\"", "\"é\"", "\"4\""]),
                    expr(rng, T::Int, d, locals)
                ),
                12 => format!(
                    "(as_int({}) ?? {})",
                    json_expr(rng, d, locals),
                    expr(rng, T::Int, d, locals)
                ),
                _ => format!(
                    "(as_int((as_list({}) ?? [to_json(1)])[{}]) ?? -2)",
                    json_expr(rng, d, locals),
                    small_int(rng, d, locals)
                ),
            }
        }
        T::Float => {
            if leaf {
                return rng
                    .pick(&[
                        "r.f",
                        "r.g",
                        "0.0",
                        "-0.0",
                        "1.5",
                        "1e308",
                        "(r.nf ?? 0.5)",
                        "r.i",
                        "(r.p?.x ?? 0.25)",
                    ])
                    .to_string();
            }
            match rng.below(8) {
                0..=3 => {
                    let op = rng.pick(&["+", "-", "*", "/", "%"]);
                    format!(
                        "({} {op} {})",
                        expr(rng, T::Float, d, locals),
                        expr(rng, T::Float, d, locals)
                    )
                }
                4 => format!("-{}", expr(rng, T::Float, d, locals)),
                5 => format!("round({}, 1)", expr(rng, T::Float, d, locals)),
                6 => format!(
                    "(as_float({}) ?? {})",
                    json_expr(rng, d, locals),
                    expr(rng, T::Float, d, locals)
                ),
                _ => format!(
                    "if {} {{ {} }} else {{ {} }}",
                    expr(rng, T::Bool, d, locals),
                    expr(rng, T::Float, d, locals),
                    expr(rng, T::Float, d, locals)
                ),
            }
        }
        T::Str => {
            if leaf {
                return rng
                    .pick(&[
                        "r.s",
                        "r.t",
                        "\"\"",
                        "\"é☃\"",
                        "\"abc\"",
                        "(r.ns ?? \"none\")",
                        "(r.p?.s ?? \"no p\")",
                    ])
                    .to_string();
            }
            match rng.below(17) {
                0 => format!(
                    "({} + {})",
                    expr(rng, T::Str, d, locals),
                    expr(rng, T::Str, d, locals)
                ),
                1 => format!(
                    "\"<${{{}}}|${{{}}}|${{r.ni}}>\"",
                    expr(rng, T::Int, d, locals),
                    expr(rng, T::Float, d, locals)
                ),
                2 => format!("lower({})", expr(rng, T::Str, d, locals)),
                3 => format!("trim({})", expr(rng, T::Str, d, locals)),
                4 => format!("to_string({})", expr(rng, T::Int, d, locals)),
                5 => format!("upper({})", expr(rng, T::Str, d, locals)),
                6 => format!(
                    "{}({}, {}, {})",
                    rng.pick(&["pad_left", "pad_right"]),
                    expr(rng, T::Str, d, locals),
                    small_int(rng, d, locals),
                    // Mostly one character; a computed fill may fail.
                    if rng.chance(80) {
                        rng.pick(&["\"0\"", "\" \"", "\"é\"", "\"🎉\""]).to_string()
                    } else {
                        computed_str(rng, d, locals)
                    }
                ),
                7 => format!(
                    "repeat({}, {})",
                    expr(rng, T::Str, d, locals),
                    small_int(rng, d, locals)
                ),
                8 => format!(
                    "{}({})",
                    rng.pick(&[
                        "url_encode",
                        "base64_encode",
                        "hex_encode",
                        "md5",
                        "sha1",
                        "sha256",
                    ]),
                    expr(rng, T::Str, d, locals)
                ),
                9 => {
                    let f = rng.pick(&["url_decode", "base64_decode"]);
                    let arg = expr(rng, T::Str, d, locals);
                    match rng.below(3) {
                        // A round trip, which must succeed.
                        0 => {
                            let enc = if *f == "url_decode" {
                                "url_encode"
                            } else {
                                "base64_encode"
                            };
                            format!("{f}({enc}({arg}))")
                        }
                        1 => format!("({f}({arg}) ?? \"undecodable\")"),
                        _ => format!("{f}({arg})"),
                    }
                }
                10 => format!(
                    "hmac_sha256({}, {})",
                    expr(rng, T::Str, d, locals),
                    expr(rng, T::Str, d, locals)
                ),
                11 => format!(
                    "uuid_v5({}, {})",
                    if rng.chance(80) {
                        rng.pick(&[
                            "\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"",
                            "\"6BA7B811-9DAD-11D1-80B4-00C04FD430C8\"",
                        ])
                        .to_string()
                    } else {
                        computed_str(rng, d, locals)
                    },
                    expr(rng, T::Str, d, locals)
                ),
                12 => {
                    let parsed = if rng.chance(50) {
                        format!("parse_query({})", expr(rng, T::Str, d, locals))
                    } else {
                        let (kv, pair) = if rng.chance(80) {
                            let kv = rng.pick(&["\"=\"", "\":\""]).to_string();
                            let pair = rng.pick(&["\" \"", "\"&\"", "\";\""]).to_string();
                            (kv, pair)
                        } else {
                            (computed_str(rng, d, locals), computed_str(rng, d, locals))
                        };
                        format!(
                            "parse_key_value({}, {kv}, {pair})",
                            expr(rng, T::Str, d, locals)
                        )
                    };
                    format!("to_string({parsed})")
                }
                13 => format!("to_string({})", expr(rng, T::Ts, d, locals)),
                14 => format!("encode_json({})", any_expr(rng, d, locals)),
                15 => format!(
                    "(as_string({}) ?? {})",
                    json_expr(rng, d, locals),
                    expr(rng, T::Str, d, locals)
                ),
                _ => format!(
                    "if {} {{ {} }} else {{ {} }}",
                    expr(rng, T::Bool, d, locals),
                    expr(rng, T::Str, d, locals),
                    expr(rng, T::Str, d, locals)
                ),
            }
        }
        T::Bool => {
            if leaf {
                return rng
                    .pick(&["r.b", "true", "false", "r.ni == null", "r.ns != null"])
                    .to_string();
            }
            match rng.below(9) {
                0 | 1 => {
                    let t = *rng.pick(&[T::Int, T::Float, T::Str, T::Ts, T::Dur]);
                    let op = rng.pick(&["==", "!=", "<", "<=", ">", ">="]);
                    format!(
                        "({} {op} {})",
                        expr(rng, t, d, locals),
                        expr(rng, t, d, locals)
                    )
                }
                2 => format!(
                    "({} and {})",
                    expr(rng, T::Bool, d, locals),
                    expr(rng, T::Bool, d, locals)
                ),
                3 => format!(
                    "({} or {})",
                    expr(rng, T::Bool, d, locals),
                    expr(rng, T::Bool, d, locals)
                ),
                4 => format!("not {}", expr(rng, T::Bool, d, locals)),
                5 => format!("(r.nf == {})", expr(rng, T::Float, d, locals)),
                6 => format!(
                    "{}({}, {})",
                    rng.pick(&["contains", "starts_with", "ends_with"]),
                    expr(rng, T::Str, d, locals),
                    expr(rng, T::Str, d, locals)
                ),
                7 => format!(
                    "(as_bool({}) ?? {})",
                    json_expr(rng, d, locals),
                    expr(rng, T::Bool, d, locals)
                ),
                _ => format!(
                    "({} == {})",
                    json_expr(rng, d, locals),
                    json_expr(rng, d, locals)
                ),
            }
        }
        T::Ts => {
            if leaf {
                return rng.pick(&["r.ts", "@2026-01-01T00:00:00Z"]).to_string();
            }
            match rng.below(6) {
                0 => format!(
                    "({} + {})",
                    expr(rng, T::Ts, d, locals),
                    expr(rng, T::Dur, d, locals)
                ),
                1 => format!(
                    "({} - {})",
                    expr(rng, T::Ts, d, locals),
                    expr(rng, T::Dur, d, locals)
                ),
                2 => format!("time_bucket(1h, {})", expr(rng, T::Ts, d, locals)),
                3 => format!(
                    "date_trunc({}, {})",
                    if rng.chance(85) {
                        rng.pick(&[
                            "\"second\"",
                            "\"minute\"",
                            "\"hour\"",
                            "\"day\"",
                            "\"week\"",
                            "\"month\"",
                            "\"year\"",
                        ])
                        .to_string()
                    } else {
                        computed_str(rng, d, locals)
                    },
                    expr(rng, T::Ts, d, locals)
                ),
                4 => format!(
                    "{}({})",
                    rng.pick(&["from_unix_seconds", "from_unix_millis"]),
                    expr(rng, T::Int, d, locals)
                ),
                _ => format!(
                    "(from_unix_seconds(unix_seconds({})) ?? {})",
                    expr(rng, T::Ts, d, locals),
                    expr(rng, T::Ts, d, locals)
                ),
            }
        }
        T::Dur => {
            if leaf {
                return rng.pick(&["r.d", "1h", "90s", "0s"]).to_string();
            }
            match rng.below(7) {
                0 => format!(
                    "({} - {})",
                    expr(rng, T::Ts, d, locals),
                    expr(rng, T::Ts, d, locals)
                ),
                1 => format!(
                    "({} + {})",
                    expr(rng, T::Dur, d, locals),
                    expr(rng, T::Dur, d, locals)
                ),
                2 => format!(
                    "({} * {})",
                    expr(rng, T::Dur, d, locals),
                    expr(rng, T::Int, d, locals)
                ),
                3 => format!(
                    "({} / {})",
                    expr(rng, T::Dur, d, locals),
                    expr(rng, T::Int, d, locals)
                ),
                4 => format!("-{}", expr(rng, T::Dur, d, locals)),
                // The text of a duration parses back to it.
                5 => format!(
                    "parse_duration(to_string({}))",
                    expr(rng, T::Dur, d, locals)
                ),
                _ => {
                    let text = if rng.chance(50) {
                        rng.pick(&["\"1h30m\"", "\"-250ms\"", "\"1.5h\"", "\"30m1h\""])
                            .to_string()
                    } else {
                        expr(rng, T::Str, d, locals)
                    };
                    if rng.chance(50) {
                        format!(
                            "(parse_duration({text}) ?? {})",
                            expr(rng, T::Dur, d, locals)
                        )
                    } else {
                        format!("parse_duration({text})")
                    }
                }
            }
        }
    }
}

/// A string that is not a literal, for arguments whose literals the
/// checker validates (units, fill characters, separators, namespaces):
/// those fail at run time instead.
fn computed_str(rng: &mut Rng, depth: u32, locals: &[(String, T)]) -> String {
    format!("trim({})", expr(rng, T::Str, depth, locals))
}

/// A `json?` expression: parsed text (valid or not: `parse_json` may
/// fail the row), a path into it, or a value converted with `to_json`.
fn json_expr(rng: &mut Rng, depth: u32, locals: &[(String, T)]) -> String {
    let d = depth.saturating_sub(1);
    match rng.below(8) {
        // Fails the row when the text is not JSON.
        0 => format!("parse_json({})", json_text(rng, d, locals)),
        1 | 2 => format!(
            "(parse_json({}) ?? to_json({}))",
            json_text(rng, d, locals),
            any_expr(rng, d, locals)
        ),
        3 => format!(
            "get(parse_json({}) ?? to_json(r.t), {})",
            json_text(rng, d, locals),
            // `a[` is malformed: the row fails.
            rng.pick(&[
                "\"a\"",
                "\"a\"",
                "\"a.b[1]\"",
                "\"[0]\"",
                "\"[2].a\"",
                "\"\"",
                "\"a[\"",
            ])
        ),
        4 | 5 => format!("to_json({})", any_expr(rng, d, locals)),
        // The input's text as JSON when it is JSON, else as a string.
        _ => "(parse_json(r.s) ?? to_json(r.s))".to_string(),
    }
}

/// JSON text: mostly a literal (valid or not), else any string (the
/// input's strings include JSON texts).
fn json_text(rng: &mut Rng, depth: u32, locals: &[(String, T)]) -> String {
    if rng.chance(50) {
        rng.pick(&[
            r#""{\"a\": {\"b\": [1, 2.5]}, \"n\": null}""#,
            r#""[true, \"x\", {\"a\": -0}]""#,
            r#""\"caf\\u00e9\"""#,
            r#""18446744073709551615""#,
            r#""2.0""#,
            r#""1e400""#,
            r#""{\"a\": }""#,
            r#""""#,
        ])
        .to_string()
    } else {
        expr(rng, T::Str, depth, locals)
    }
}

/// A value of any type but a record, for `to_json` and `encode_json`:
/// scalars, nullable fields, null, lists (nested, with nulls, empty).
fn any_expr(rng: &mut Rng, depth: u32, locals: &[(String, T)]) -> String {
    let d = depth.saturating_sub(1);
    match rng.below(5) {
        0 | 1 => {
            let t = *rng.pick(&[T::Int, T::Float, T::Str, T::Bool, T::Ts, T::Dur]);
            expr(rng, t, d, locals)
        }
        2 => rng
            .pick(&["r.ni", "r.nf", "r.ns", "r.p?.s", "r.p?.x", "null", "[]"])
            .to_string(),
        3 => {
            let t = *rng.pick(&[T::Int, T::Float, T::Str, T::Ts, T::Dur]);
            format!("[{}, {}]", expr(rng, t, d, locals), expr(rng, t, d, locals))
        }
        _ => format!("[[r.nf, {}], [], [r.i]]", expr(rng, T::Float, d, locals)),
    }
}

/// An int for a count or a length: mostly small, sometimes negative (the
/// call fails) or anything (a huge one fails on the size limit).
fn small_int(rng: &mut Rng, depth: u32, locals: &[(String, T)]) -> String {
    match rng.below(4) {
        0 => rng.pick(&["0", "1", "3", "7"]).to_string(),
        1 => format!("(r.i % {})", rng.pick(&["5", "12"])),
        2 => "(r.j % 4)".to_string(),
        _ => expr(rng, T::Int, depth, locals),
    }
}

/// A random transform `In -> Out` with lets, requires and skips.
fn program(rng: &mut Rng) -> String {
    let mut body = String::new();
    let mut locals: Vec<(String, T)> = Vec::new();
    for k in 0..rng.below(4) {
        let t = *rng.pick(&[T::Int, T::Float, T::Str, T::Bool, T::Ts, T::Dur]);
        let e = expr(rng, t, 3, &locals);
        let name = format!("l{k}");
        body.push_str(&format!("  let {name} = {e}\n"));
        locals.push((name, t));
        if rng.chance(30) {
            body.push_str(&format!(
                "  require {} else \"required {k}\"\n",
                expr(rng, T::Bool, 2, &locals)
            ));
        }
        if rng.chance(20) {
            body.push_str(&format!("  skip if {}\n", expr(rng, T::Bool, 2, &locals)));
        }
    }
    // A nullable int field: an input's, null, or a built-in's `int?`.
    let n = match rng.below(3) {
        0 => "r.ni".to_string(),
        1 => "null".to_string(),
        _ => format!(
            "index_of({}, {})",
            expr(rng, T::Str, 2, &locals),
            expr(rng, T::Str, 1, &locals)
        ),
    };
    let out = |rng: &mut Rng| {
        format!(
            "Out {{\n    a: {},\n    x: {},\n    y: {},\n    z: {},\n    w: {},\n    v: {},\n    n: {n},\n    o: {},\n  }}",
            expr(rng, T::Int, 4, &locals),
            expr(rng, T::Float, 4, &locals),
            expr(rng, T::Str, 4, &locals),
            expr(rng, T::Bool, 4, &locals),
            expr(rng, T::Ts, 3, &locals),
            expr(rng, T::Dur, 3, &locals),
            // Mostly one whose failures are caught.
            if rng.chance(90) {
                format!("({} ?? to_json(r.ni))", json_expr(rng, 2, &locals))
            } else {
                json_expr(rng, 2, &locals)
            },
        )
    };
    // Mostly one record literal (stored field by field by batch
    // functions), sometimes a record chosen at run time.
    let result = if rng.chance(15) {
        let cond = expr(rng, T::Bool, 2, &locals);
        format!("if {cond} {{ {} }} else {{ {} }}", out(rng), out(rng))
    } else {
        out(rng)
    };
    body.push_str(&format!("  {result}\n"));
    format!("{INPUT}\ntransform t(r: In) -> Out {{\n{body}}}\n")
}

fn record(rng: &mut Rng, id: RecordId, point: RecordId) -> Value {
    let int = |rng: &mut Rng| match rng.below(8) {
        0 => i64::MIN,
        1 => i64::MAX,
        2 => 0,
        3 => -1,
        4 => 1,
        _ => (rng.next() % 2001) as i64 - 1000,
    };
    let float = |rng: &mut Rng| match rng.below(9) {
        0 => f64::NAN,
        1 => -0.0,
        2 => 0.0,
        3 => f64::INFINITY,
        4 => f64::NEG_INFINITY,
        5 => f64::MAX,
        _ => ((rng.next() % 20001) as f64 - 10000.0) / 8.0,
    };
    let string = |rng: &mut Rng| match rng.below(10) {
        0 => String::new(),
        1 => " KSEA ".into(),
        2 => "日本語 é".into(),
        3 => "x".repeat(100_000),
        4 => "42".into(),
        // Encoded text: a query, percent-encoding (a bad one too), base64,
        // key-value pairs, durations.
        5 => rng
            .pick(&[
                "?a=1&b=caf%C3%A9+x&a=2&flag",
                "100%",
                "a%zz",
                "aMOpbGxv",
                "YWI",
                "level=info user=ann tag=a tag=b",
            ])
            .to_string(),
        6 => rng
            .pick(&["1h30m", "-250ms", "7d", "1.5h", "%C3%A9", "k: v; k: w"])
            .to_string(),
        // JSON texts, valid and not.
        7 => rng
            .pick(&[
                r#"{"a": {"b": [7, 8.5, null]}, "é": "\u00e9\n"}"#,
                r#"[{"a": 1}, "x", -0.0, 1e308, true, null]"#,
                r#" "text" "#,
                "3",
                "2.0",
                "-9223372036854775809",
                "1e-400",
                r#"{"a": [1, 2], "a": false}"#,
                "[[[[[[[[[[[[1]]]]]]]]]]]]",
                r#"{"a": }"#,
                "[1,",
                "nul",
                "NaN",
                "1e999",
                r#""\ud800""#,
                "{'a': 1}",
                "[1] 2",
            ])
            .to_string(),
        _ => format!("s{}", rng.next() % 100),
    };
    let fields = vec![
        Value::Int(int(rng)),
        Value::Int(int(rng)),
        Value::Float(float(rng)),
        Value::Float(float(rng)),
        Value::string(string(rng)),
        Value::string(string(rng)),
        Value::Bool(rng.chance(50)),
        if rng.chance(40) {
            Value::Null
        } else {
            Value::Int(int(rng))
        },
        if rng.chance(40) {
            Value::Null
        } else {
            Value::Float(float(rng))
        },
        if rng.chance(40) {
            Value::Null
        } else {
            Value::string(string(rng))
        },
        Value::Timestamp(match rng.below(4) {
            0 => i64::MAX,
            1 => i64::MIN,
            _ => 1_767_225_600_000_000 + (rng.next() % 1_000_000_000) as i64,
        }),
        Value::Duration(match rng.below(4) {
            0 => i64::MAX,
            1 => i64::MIN,
            _ => (rng.next() % 10_000_000_000) as i64,
        }),
        if rng.chance(30) {
            Value::Null
        } else {
            let s = if rng.chance(50) {
                Value::Null
            } else {
                Value::string(string(rng))
            };
            Value::record(point, vec![Value::Float(float(rng)), s])
        },
    ];
    Value::record(id, fields)
}

/// A failing case as a project to replay with `dashc run`: the program
/// with a source reading the record and a stdout sink. Where it is and
/// the commands, or why it could not be written.
fn replay_files(program: &str, json: &str, case: usize) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("diff-case-{case}"));
    let text = format!(
        "{program}\nsource input: In from file {{\n  path: \"input.jsonl\"\n  format: jsonl\n}}\n\n\
         sink out: Out into stdout {{}}\n\npipeline replay {{\n  input -> t -> out\n}}\n"
    );
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("diff.dash"), text))
        .and_then(|()| std::fs::write(dir.join("input.jsonl"), format!("{json}\n")));
    match written {
        Ok(()) => format!(
            "{dir}/diff.dash and input.jsonl (values JSON cannot hold — NaN, infinities, timestamps outside years 1 to 9999 — differ there; the Dash literal above is exact); compare\n  \
             dashc run {dir} --engine jit --db sqlite://{dir}/jit.db\n  \
             dashc run {dir} --engine interp --db sqlite://{dir}/interp.db",
            dir = dir.display()
        ),
        Err(e) => format!("could not write {}: {e}", dir.display()),
    }
}

/// Equal, with floats compared bit for bit.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Record(x), Value::Record(y)) => {
            x.ty == y.ty
                && x.fields.len() == y.fields.len()
                && x.fields.iter().zip(&y.fields).all(|(p, q)| same(p, q))
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(p, q))
        }
        _ => std::mem::discriminant(a) == std::mem::discriminant(b) && a.equals(b),
    }
}

fn agree(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Outcome::Value(x), Outcome::Value(y)) => same(x, y),
        (Outcome::Skipped, Outcome::Skipped) => true,
        (Outcome::Failed(x), Outcome::Failed(y)) => x == y,
        _ => false,
    }
}

#[test]
fn the_jit_agrees_with_the_interpreter() {
    let cases: usize = std::env::var("DASH_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000);
    let seed: u64 = std::env::var("DASH_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_DA5B);
    let records_per_program = 20;
    let mut rng = Rng(seed | 1);
    let cx = EvalContext {
        now: 1_767_225_600_000_000,
    };
    let (mut run, mut programs, mut rejected) = (0usize, 0usize, 0usize);
    let mut outcomes = [0usize; 3];
    while run < cases {
        let text = program(&mut rng);
        let analysis = analyze(vec![SourceFile::new("diff.dash", text.clone())]);
        if analysis.error_count() > 0 {
            // The generator aims at well-typed programs; count misses so a
            // broken generator cannot pass quietly.
            rejected += 1;
            assert!(
                rejected * 5 <= programs + 10,
                "the generator makes too many ill-typed programs:\n{text}\n{:?}",
                analysis.diagnostics
            );
            continue;
        }
        programs += 1;
        let ir = lower(&analysis);
        let (func, _) = ir.function("t").expect("the transform");
        let jit = Jit::compile(&ir).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let id = |name: &str| {
            analysis
                .program
                .records
                .iter()
                .position(|r| r.name == name)
                .map(|i| RecordId(i as u32))
                .expect("a record type of INPUT")
        };
        let (id, point) = (id("In"), id("P"));
        let shapes = jit.batch_shapes(func).expect("a batch function");
        let inputs: Vec<Value> = (0..records_per_program)
            .map(|_| record(&mut rng, id, point))
            .collect();
        // The batch function over all the records at once.
        let columns = Columns::from_values(&shapes.input, &inputs);
        let batched = jit
            .run_columns(func, &columns, &cx)
            .expect("the batch function runs")
            .outcomes();
        for (input, in_batch) in inputs.iter().zip(&batched) {
            let expected = Engine::Interp(&ir).run(func, std::slice::from_ref(input), &cx);
            let actual = Engine::Jit(&jit).run(func, std::slice::from_ref(input), &cx);
            for (how, actual) in [("row", &actual), ("batch", in_batch)] {
                if !agree(&expected, actual) {
                    let json = encode_record(input, &analysis.program).to_string();
                    let replay = replay_files(&text, &json, run);
                    panic!(
                        "the JIT ({how} function) disagrees with the interpreter\n--- diff.dash ---\n{text}\n--- input ---\n{}\n--- input (JSON) ---\n{json}\n--- interpreter ---\n{expected:?}\n--- jit ---\n{actual:?}\n--- replay ---\n{replay}",
                        input.to_literal(&analysis.program.records),
                    );
                }
            }
            outcomes[match expected {
                Outcome::Value(_) => 0,
                Outcome::Skipped => 1,
                Outcome::Failed(_) => 2,
            }] += 1;
            run += 1;
        }
    }
    eprintln!(
        "{run} cases over {programs} programs ({rejected} rejected): {} values, {} skips, {} failures",
        outcomes[0], outcomes[1], outcomes[2]
    );
    // Every kind of outcome must be exercised.
    assert!(outcomes.iter().all(|n| *n > 0), "{outcomes:?}");
}

/// Memory safety: the differential test again, smaller, under valgrind's
/// memcheck (`--smc-check=all` for the generated code). Any invalid read
/// or write in compiled code or helpers, or a leak of definitely lost
/// memory, fails it.
#[test]
fn the_jit_is_clean_under_valgrind() {
    let exe = std::env::current_exe().expect("the test binary");
    let out = std::process::Command::new("valgrind")
        .args([
            "--error-exitcode=99",
            "--smc-check=all",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "-q",
        ])
        .arg(&exe)
        .args([
            "--exact",
            "the_jit_agrees_with_the_interpreter",
            "--test-threads=1",
        ])
        .env("DASH_DIFF_CASES", "200")
        // A seed whose 200 cases give values, skips and failures.
        .env("DASH_DIFF_SEED", "13")
        .output()
        .expect("valgrind (Debian package `valgrind`) must be installed");
    assert!(
        out.status.success(),
        "valgrind reported errors:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
