//! `matches`: Whether a string matches a regular expression.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const MATCHES: Builtin = Builtin {
    name: "matches",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("pattern", SigTy::String)],
        required: 2,
        ret: SigTy::Bool,
    }],
    doc: r#"Whether a string matches a regular expression (Rust `regex` syntax, unanchored: use `^` and `$` to match the whole string). Classes are Unicode-aware (`\d`, `\w`, `.` match any script). An invalid pattern fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"matches("KSEA", "^K[A-Z]{3}$")"#,
            result: r#"true"#,
        },
        Example {
            call: r#"matches("sensor-42", "[0-9]+")"#,
            result: r#"true"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s), Value::Str(pattern)] = args else {
        return Err(bad_args("matches", args));
    };
    with_regex(pattern, |re| re.is_match(s)).map(Value::Bool)
}

/// How many compiled patterns each thread keeps. Patterns are nearly
/// always literals, so a pipeline uses a handful; when a program uses more,
/// the cache starts over rather than growing.
const CACHE_SIZE: usize = 64;

thread_local! {
    /// Compiled patterns, and the message for patterns that do not compile
    /// (so an invalid pattern is not recompiled for every row either).
    static CACHE: RefCell<HashMap<String, Result<Regex, String>>> = RefCell::new(HashMap::new());
}

/// Runs `f` with `pattern` compiled, or fails with the pattern's error.
fn with_regex<R>(pattern: &str, f: impl FnOnce(&Regex) -> R) -> Result<R, String> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            if cache.len() >= CACHE_SIZE {
                cache.clear();
            }
            let compiled = Regex::new(pattern).map_err(|e| invalid(pattern, &e));
            cache.insert(pattern.to_string(), compiled);
        }
        match cache.get(pattern) {
            Some(Ok(re)) => Ok(f(re)),
            Some(Err(msg)) => Err(msg.clone()),
            None => Err(format!(
                "matches: pattern {} is not compiled",
                quote(pattern)
            )),
        }
    })
}

/// `matches: invalid pattern "(": unclosed group`: the `regex` crate's
/// message on one line, without its drawing of the pattern.
fn invalid(pattern: &str, e: &regex::Error) -> String {
    let reason = match e {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error:"))
            .map_or_else(|| text.replace('\n', " "), |r| r.trim().to_string()),
        regex::Error::CompiledTooBig(_) => "the compiled pattern is too big".to_string(),
        other => other.to_string().replace('\n', " "),
    };
    format!("matches: invalid pattern {}: {reason}", quote(pattern))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(s: &str, pattern: &str) -> Result<bool, String> {
        let v = eval(
            &[Value::str(s), Value::str(pattern)],
            &EvalContext::default(),
        )?;
        v.as_bool().ok_or_else(|| "not a bool".to_string())
    }

    #[test]
    fn cases() {
        for (s, pattern, want) in [
            ("KSEA", "^K[A-Z]{3}$", true),
            ("xKSEAx", "K[A-Z]{3}", true),
            ("xKSEAx", "^K", false),
            ("", "", true),
            ("", "^$", true),
            ("abc", "", true),
            ("héllo", "^h.llo$", true),
            ("e\u{301}", "^.$", false),
            ("🎉", "^.$", true),
            ("ÀBC", r"^\p{Lu}+$", true),
            ("straße", "(?i)STRASSE", false),
            ("Straße", "(?i)straSSE", false),
            ("ABC", "(?i)abc", true),
            ("a\nb", "^b$", false),
            ("a\nb", "(?m)^b$", true),
            ("١٢", r"^\d+$", true),
        ] {
            assert_eq!(matches(s, pattern), Ok(want), "{s:?} {pattern:?}");
        }
        let huge = "a".repeat(1_000_000) + "b";
        assert_eq!(matches(&huge, "a+b$"), Ok(true));
    }

    #[test]
    fn invalid_patterns_fail() {
        for pattern in ["(", "[a-", "a{2,1}", r"\", "(?<n>a)(?<n>b)", "*a", "(?z)"] {
            let err = matches("a", pattern);
            assert!(err.is_err(), "{pattern}");
            let err = err.err().unwrap_or_default();
            assert!(err.starts_with("matches: invalid pattern"), "{err}");
            assert!(!err.contains('\n'), "{err}");
            // Cached errors give the same message.
            assert_eq!(matches("a", pattern).err(), Some(err));
        }
        let big = matches("a", "\\w{1000}{1000}");
        assert!(big.is_err_and(|e| e.contains("too big")));
    }

    #[test]
    fn cache_stays_bounded() {
        for i in 0..(3 * CACHE_SIZE) {
            assert_eq!(matches(&format!("x{i}"), &format!("^x{i}$")), Ok(true));
        }
        CACHE.with(|c| assert!(c.borrow().len() <= CACHE_SIZE));
        assert_eq!(matches("x0", "^x0$"), Ok(true));
    }
}
