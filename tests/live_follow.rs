//! `file` sources over globs, read once or followed: real files changed
//! under a running `dashc run` (appends, rotation by rename-and-create,
//! truncation, new files), signals, SIGKILL and restarts, with exact
//! counts. The sinks have no key, so a line read twice would show.

mod live;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use live::{count, db, distinct, project, start, wait_until};

const WAIT: Duration = Duration::from_secs(20);

fn program(path: &str, follow: bool) -> String {
    format!(
        r#"type Event {{
  id: int
  msg: string
}}

source logs: Event from file {{
  path: "{path}"
  follow: {follow}
}}

sink stored: Event into table {{
  table: "events"
}}

pipeline tail {{
  logs -> stored
}}
"#
    )
}

fn url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("t.db").display())
}

/// JSON lines for ids `from..=to`.
fn events(from: i64, to: i64) -> String {
    (from..=to)
        .map(|id| format!("{{\"id\":{id},\"msg\":\"event {id}\"}}\n"))
        .collect()
}

/// Append `text` to `path` (created if missing) in one write.
fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(text.as_bytes()).expect("append");
}

fn wait_for(url: &str, n: i64, run: &live::Run) {
    wait_until(
        &format!("{n} rows (stderr: {})", run.log.display()),
        WAIT,
        || count(url, "events") == n,
    );
}

/// Exactly `n` rows, each id once.
fn assert_exact(url: &str, n: i64) {
    assert_eq!(count(url, "events"), n, "rows");
    assert_eq!(distinct(url, "events", "id"), n, "distinct ids");
}

fn logs(dir: &Path) -> PathBuf {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).expect("logs dir");
    logs
}

#[test]
fn a_glob_without_follow_reads_each_file_once_and_ends() {
    let dir = project("glob-once", &program("logs/*.jsonl", false));
    let logs = logs(&dir);
    let url = url(&dir);
    append(&logs.join("a.jsonl"), &events(1, 3));
    append(&logs.join("b.jsonl"), &(events(4, 5) + "\n")); // a blank line
    // The last line has no `\n`: read at the end all the same.
    append(&logs.join("c.jsonl"), events(6, 9).trim_end());
    append(&logs.join("skipped.txt"), &events(100, 101));
    let run = |n: i64| {
        let (code, stderr) = start(&dir, &["--db", &url]).wait(WAIT);
        assert_eq!(code, Some(0), "run {n}; stderr:\n{stderr}");
    };
    run(1);
    assert_exact(&url, 9);
    run(2);
    assert_exact(&url, 9);
    append(&logs.join("a.jsonl"), &events(10, 11));
    run(3);
    assert_exact(&url, 11);
}

#[test]
fn following_sees_appends_rotation_truncation_and_new_files() {
    let dir = project("follow", &program("logs/*.jsonl", true));
    let logs = logs(&dir);
    let url = url(&dir);
    let app = logs.join("app.jsonl");
    let other = logs.join("other.jsonl");
    append(&app, &events(1, 5));
    append(&other, &events(6, 8));
    let run = start(&dir, &["--db", &url]);
    wait_for(&url, 8, &run);

    append(&app, &events(9, 12));
    wait_for(&url, 12, &run);

    // Rotation: lines written just before the rename may not have been
    // read yet; the renamed file leaves the glob, a new one takes its
    // name, and the writer still finishes a line in the old one.
    append(&app, &events(13, 15));
    std::fs::rename(&app, logs.join("app.jsonl.1")).expect("rotate");
    append(&app, &events(16, 18));
    append(&logs.join("app.jsonl.1"), &events(19, 20));
    wait_for(&url, 20, &run);

    // Truncated and written again.
    std::fs::write(&other, events(21, 23)).expect("truncate and write");
    wait_for(&url, 23, &run);
    // Truncated to less than was read.
    std::fs::write(&other, events(24, 24)).expect("truncate and write less");
    wait_for(&url, 24, &run);

    // New files, one with its line written in two pieces.
    append(&logs.join("new1.jsonl"), &events(25, 27));
    append(&logs.join("new2.jsonl"), &events(28, 28));
    append(&app, r#"{"id":29,"msg":"in two "#);
    wait_for(&url, 28, &run);
    append(&app, "pieces\"}\n");
    wait_for(&url, 29, &run);

    run.stop();
    assert_exact(&url, 29);
    assert_eq!(
        db::int(
            &url,
            "SELECT count(*) FROM events WHERE msg = 'in two pieces'"
        ),
        1
    );

    // While stopped: appended, renamed within the glob and grown.
    append(&app, &events(30, 31));
    std::fs::rename(logs.join("new1.jsonl"), logs.join("renamed.jsonl")).expect("rename");
    append(&logs.join("renamed.jsonl"), &events(32, 32));
    let run = start(&dir, &["--db", &url]);
    wait_for(&url, 32, &run);
    append(&logs.join("new2.jsonl"), &events(33, 34));
    wait_for(&url, 34, &run);
    run.stop();
    assert_exact(&url, 34);
    assert_eq!(count(&url, "dash_dlq"), 0, "no line was read in pieces");
}

#[test]
fn sigkill_while_following_then_restart_reads_each_line_once() {
    let dir = project("follow-kill", &program("logs/*.jsonl", true));
    let logs = logs(&dir);
    let url = url(&dir);
    append(&logs.join("a.jsonl"), &events(1, 300));
    let run = start(&dir, &["--db", &url]);
    wait_for(&url, 300, &run);
    // Killed while lines keep coming.
    for chunk in 0..20 {
        let from = 301 + chunk * 100;
        append(&logs.join("a.jsonl"), &events(from, from + 99));
        append(
            &logs.join("b.jsonl"),
            &events(10_000 + from, 10_000 + from + 99),
        );
    }
    run.kill();
    let seen = count(&url, "events");
    assert!((300..=4300).contains(&seen), "{seen} rows before the kill");
    let run = start(&dir, &["--db", &url]);
    wait_for(&url, 4300, &run);
    run.stop();
    assert_exact(&url, 4300);
}

#[test]
fn format_lines_follows_each_line_as_text() {
    let program = r#"type Line {
  text: string
}

source logs: Line from file {
  path: "logs/*.txt"
  format: lines
  follow: true
}

sink stored: Line into table {
  table: "lines"
}

pipeline tail {
  logs -> stored
}
"#;
    let dir = project("follow-lines", program);
    let logs = logs(&dir);
    let url = url(&dir);
    append(&logs.join("a.txt"), "hello\n\nworld\n");
    let run = start(&dir, &["--db", &url]);
    wait_until("3 lines", WAIT, || count(&url, "lines") == 3);
    append(&logs.join("a.txt"), "  spaced  \n\n{\"not\": \"json\"}\r\n");
    wait_until("6 lines", WAIT, || count(&url, "lines") == 6);
    run.stop();
    assert_eq!(
        db::texts(&url, "SELECT text FROM lines ORDER BY rowid"),
        [
            "hello",
            "",
            "world",
            "  spaced  ",
            "",
            "{\"not\": \"json\"}"
        ]
    );
}
