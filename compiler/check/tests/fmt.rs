//! The formatter: idempotent, keeps every comment, keeps the meaning
//! (same diagnostics), refuses files with syntax errors, and lays out the
//! messy files of `tests/fmt/` as their reviewed snapshots say.

use std::path::{Path, PathBuf};

use dash_check::analyze;
use dash_syntax::fmt::format_source;
use dash_syntax::{self as syntax, Code, FileId, SourceFile};

/// Every `.dash` file of the test corpus, with its contents.
fn corpus() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut files = Vec::new();
    for dir in ["check/ok", "check/err", "check/not_yet", "parse", "fmt"] {
        let entries = std::fs::read_dir(root.join(dir)).expect("corpus directory");
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|e| e == "dash") {
                let text = std::fs::read_to_string(&path).expect("corpus file");
                files.push((path, text));
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "the corpus is missing");
    files
}

/// The comment texts of a file, sorted (a `\r` before a line's end is not
/// part of a comment).
fn comments(text: &str) -> Vec<String> {
    let parsed = syntax::parse(FileId(0), text);
    let mut out: Vec<String> = parsed
        .comments
        .iter()
        .map(|c| text[c.range()].trim_end_matches('\r').to_string())
        .collect();
    out.sort();
    out
}

fn codes(text: &str) -> Vec<Code> {
    analyze(vec![SourceFile::new("x.dash", text)])
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect()
}

/// Format `text` and check the formatter's promises on it.
fn check_formats_well(name: &str, text: &str) -> Option<String> {
    let formatted = format_source(text).ok()?;
    let again = format_source(&formatted).unwrap_or_else(|e| {
        panic!("{name}: the formatted file does not parse: {e:?}\n{formatted}")
    });
    assert_eq!(formatted, again, "{name}: formatting is not idempotent");
    assert_eq!(
        comments(text),
        comments(&formatted),
        "{name}: comments changed\n{formatted}"
    );
    assert!(
        formatted.is_empty() || (formatted.ends_with('\n') && !formatted.ends_with("\n\n")),
        "{name}: the file must end with exactly one newline"
    );
    for line in formatted.lines() {
        assert!(!line.starts_with('\t'), "{name}: tab indentation: {line:?}");
    }
    Some(formatted)
}

#[test]
fn corpus_is_idempotent_keeps_comments_and_meaning() {
    let mut formatted_count = 0;
    for (path, text) in corpus() {
        let name = path.display().to_string();
        let Some(formatted) = check_formats_well(&name, &text) else {
            assert!(name.contains("err"), "{name}: a valid file was refused");
            continue;
        };
        formatted_count += 1;
        assert_eq!(
            codes(&text),
            codes(&formatted),
            "{name}: diagnostics changed\n{formatted}"
        );
    }
    assert!(formatted_count > 100);
}

#[test]
fn indentation_does_not_matter() {
    for (path, text) in corpus() {
        // Multi-line block comments are printed verbatim, indentation kept.
        if text.contains("/*") {
            continue;
        }
        let flat: String = text
            .lines()
            .map(|l| format!("{}\n", l.trim_start()))
            .collect();
        if let (Ok(a), Ok(b)) = (format_source(&text), format_source(&flat)) {
            assert_eq!(a, b, "{}", path.display());
        }
    }
}

/// Robustness: the corpus with any one line removed either is refused or
/// formats well.
#[test]
fn corpus_with_a_line_removed() {
    for (path, text) in corpus() {
        let lines: Vec<&str> = text.lines().collect();
        for skip in 0..lines.len() {
            let mutated: String = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| format!("{l}\n"))
                .collect();
            check_formats_well(
                &format!("{} without line {}", path.display(), skip + 1),
                &mutated,
            );
        }
    }
}

/// The whitespace runs of `text` outside strings and comments: where a
/// comment or a line break may go.
fn gaps(text: &str) -> Vec<(usize, usize)> {
    let comments = syntax::parse(FileId(0), text).comments;
    let mut next_comment = comments.iter().peekable();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // b'"' inside a string, b'{' inside `${…}`, b'(' inside a bracket.
    let mut stack: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if stack.last() == Some(&b'"') {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' | b'\n' => {
                    stack.pop();
                    i += 1;
                }
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(b'{');
                    i += 2;
                }
                _ => i += 1,
            }
            continue;
        }
        while next_comment.peek().is_some_and(|c| (c.start as usize) < i) {
            next_comment.next();
        }
        if let Some(c) = next_comment.peek().filter(|c| c.start as usize == i) {
            i = c.end as usize;
            continue;
        }
        match bytes[i] {
            b'"' => stack.push(b'"'),
            b'{' | b'(' | b'[' => stack.push(b'('),
            b'}' | b')' | b']' => {
                stack.pop();
            }
            b if b.is_ascii_whitespace() => {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                out.push((start, i));
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `text` with `insert(k, gap)` replacing each gap.
fn rewrite_gaps(text: &str, mut replace: impl FnMut(usize, &str) -> String) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (k, (start, end)) in gaps(text).into_iter().enumerate() {
        out.push_str(&text[last..start]);
        out.push_str(&replace(k, &text[start..end]));
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// Robustness of comment placement: the corpus with comments between all
/// tokens, with line comments between some, on one line, with blank lines
/// everywhere.
#[test]
fn corpus_with_comments_and_whitespace_everywhere() {
    let mut formatted_count = 0;
    for (path, text) in corpus() {
        let name = path.display().to_string();
        let mut variants = vec![
            (
                "block comments",
                rewrite_gaps(&text, |k, gap| format!(" /*c{k}*/{gap}")),
            ),
            (
                "blank lines",
                rewrite_gaps(&text, |_, _| "\n\n".to_string()),
            ),
        ];
        for offset in 0..3 {
            variants.push((
                "line comments",
                rewrite_gaps(&text, |k, gap| {
                    if k % 3 == offset {
                        format!(" //c{k}\n")
                    } else {
                        gap.to_string()
                    }
                }),
            ));
        }
        let parsed = syntax::parse(FileId(0), &text);
        let line_comments_ok = parsed.comments.iter().all(|c| {
            let c = &text[c.range()];
            !c.starts_with("//") || !(c.contains("*/") || c.contains("/*"))
        });
        if line_comments_ok {
            let mut one_line = String::new();
            let mut last = 0;
            for c in &parsed.comments {
                one_line.push_str(&text[last..c.start as usize]);
                let c_text = &text[c.range()];
                match c_text.strip_prefix("//") {
                    Some(rest) => one_line.push_str(&format!("/*{rest}*/")),
                    None => one_line.push_str(c_text),
                }
                last = c.end as usize;
            }
            one_line.push_str(&text[last..]);
            variants.push(("one line", rewrite_gaps(&one_line, |_, _| " ".to_string())));
        }
        for (what, variant) in variants {
            let label = format!("{name} ({what})");
            if let Some(formatted) = check_formats_well(&label, &variant) {
                assert_eq!(
                    codes(&variant),
                    codes(&formatted),
                    "{label}: diagnostics changed"
                );
                formatted_count += 1;
            } else {
                assert!(name.contains("err"), "{label}: refused\n{variant}");
            }
        }
    }
    assert!(formatted_count > 500, "{formatted_count}");
}

/// Robustness: random small edits of the corpus (`FMT_EDITS` per file,
/// seeded by `FMT_SEED`) either are refused or format well, keeping the
/// diagnostics.
#[test]
fn corpus_with_random_edits() {
    const SNIPPETS: &[&str] = &[
        "/*x*/", "//y\n", "\n\n", " ", "(", ")", "{", "}", "[", "]", ",", "-", "not ", "if ",
        "else ", "1", "a", ".b", "\"s\"", ": ", "=", "->", "?", "??", "|", "=>", "_", "@", "\t",
    ];
    let per_file: u64 = std::env::var("FMT_EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    // A small deterministic generator (xorshift).
    let mut state: u64 = std::env::var("FMT_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let mut next = move |bound: usize| -> usize {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound.max(1) as u64) as usize
    };
    let (mut tried, mut formatted_count) = (0, 0);
    for (path, text) in corpus() {
        for round in 0..per_file {
            let mut mutated = text.clone();
            for _ in 0..1 + next(3) {
                let mut at = next(mutated.len() + 1);
                while !mutated.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + 1 + next(8)).min(mutated.len());
                while !mutated.is_char_boundary(end) {
                    end -= 1;
                }
                match next(3) {
                    0 => mutated.replace_range(at..end, ""),
                    1 => mutated.insert_str(at, SNIPPETS[next(SNIPPETS.len())]),
                    _ => {
                        let copy = mutated[at..end].to_string();
                        mutated.insert_str(at, &copy);
                    }
                }
            }
            let label = format!("{} (edit {round}): {mutated:?}", path.display());
            if let Some(formatted) = check_formats_well(&label, &mutated) {
                assert_eq!(
                    codes(&mutated),
                    codes(&formatted),
                    "{label}: diagnostics changed"
                );
                formatted_count += 1;
            }
            tried += 1;
        }
    }
    // Most edits still parse: the test exercises the formatter.
    assert!(formatted_count * 4 > tried, "{formatted_count} of {tried}");
}

#[test]
fn syntax_errors_are_refused() {
    let errors = format_source("type A {\n  a int\n}\n").expect_err("a syntax error");
    assert!(errors.iter().all(|d| d.code == Code::Syntax));
    assert!(!errors.is_empty());
    assert!(format_source("test \"t\" { 1 == 1 ").is_err());
    assert!(format_source("type A {}\n/* never closed").is_err());
    let deep = format!(
        "test \"t\" {{ {}1{} == 1 }}",
        "(".repeat(300),
        ")".repeat(300)
    );
    let errors = format_source(&deep).expect_err("too deep");
    assert!(errors.iter().any(|d| d.code == Code::TooDeep));
}

#[test]
fn small_cases() {
    let cases: &[(&str, &str)] = &[
        ("", ""),
        ("  \n\n", ""),
        ("// only a comment", "// only a comment\n"),
        (
            "type A{a:int,b:[string]?   // note\n}type B{}",
            "type A {\n  a: int\n  b: [string]?  // note\n}\n\ntype B {}\n",
        ),
        (
            "sink s: A into stdout\nsource r: A from stdin {}",
            "sink s: A into stdout\n\nsource r: A from stdin {}\n",
        ),
        (
            "test \"t\" { (1+2)*3==- 9 or not(true) }",
            "test \"t\" {\n  (1 + 2) * 3 == -9 or not (true)\n}\n",
        ),
        (
            "test \"t\" { 1_000+1e-3  +250ms ==\"a\\n${ 1 }\" }",
            "test \"t\" {\n  1_000 + 1e-3 + 250ms == \"a\\n${ 1 }\"\n}\n",
        ),
        (
            "transform f(a: A) -> B {\n  let x = a /* why */ + 1\n  x\n}",
            "transform f(a: A) -> B {\n  let x = a + 1  /* why */\n  x\n}\n",
        ),
        (
            "transform f(a: A) -> B {\n  let x = a + // one\n    1 + // two\n    2\n  x\n}",
            "transform f(a: A) -> B {\n  let x = a + 1 + 2  // one\n  // two\n  x\n}\n",
        ),
        (
            "transform f(a: A) -> B {\n  x\n  // end\n}",
            "transform f(a: A) -> B {\n  x\n  // end\n}\n",
        ),
        (
            "transform f(a: A) -> B { if a.x { 1 } else if a.y { 2 } else { let z = 3\n z } }",
            "transform f(a: A) -> B {\n  if a.x {\n    1\n  } else if a.y {\n    2\n  } else {\n    let z = 3\n    z\n  }\n}\n",
        ),
        (
            "transform f(a: A) -> B { B { x: if a.x { 1 } else { 2 }, y: match a.y { 1 | -2 => \"a\" _ => \"b\" } } }",
            "transform f(a: A) -> B {\n  B {\n    x: if a.x { 1 } else { 2 },\n    y: match a.y {\n      1 | -2 => \"a\",\n      _ => \"b\",\n    },\n  }\n}\n",
        ),
        (
            "type A {\r\n\ta: int // x\r\n\r\n\r\n\tb: int\r\n}\r\n",
            "type A {\n  a: int  // x\n\n  b: int\n}\n",
        ),
        (
            "type A {}\n/* tail */ /* more */ // end",
            "type A {}\n/* tail */ /* more */ // end\n",
        ),
        (
            "test \"t\" { -/*n*/1 == - 1 }",
            "test \"t\" {\n  -1 == -1  /*n*/\n}\n",
        ),
    ];
    for (input, expected) in cases {
        let formatted = check_formats_well(input, input).expect("formats");
        assert_eq!(&formatted, expected, "input: {input:?}");
    }
}

#[test]
fn long_records_break_one_field_per_line() {
    let input = "transform f(r: R) -> Metric { Metric { station: station, ts: r.ts, temp_f: round(r.temp_f, 1), humidity: r.humidity ?? 0.0, ok: true } }";
    let expected = "transform f(r: R) -> Metric {\n  Metric {\n    station: station,\n    ts: r.ts,\n    temp_f: round(r.temp_f, 1),\n    humidity: r.humidity ?? 0.0,\n    ok: true,\n  }\n}\n";
    assert_eq!(format_source(input).expect("formats"), expected);
    let short = "transform f(r: R) -> Metric {\n  Metric {\n    a: 1,\n    b: 2,\n  }\n}\n";
    assert_eq!(
        format_source(short).expect("formats"),
        "transform f(r: R) -> Metric {\n  Metric { a: 1, b: 2 }\n}\n"
    );
}

#[test]
fn messy_files_snapshots() {
    insta::glob!("../../../tests/fmt", "*.dash", |path| {
        let text = std::fs::read_to_string(path).expect("input file");
        let formatted = format_source(&text).expect("the input parses");
        insta::assert_snapshot!(formatted);
    });
}
