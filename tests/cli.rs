//! End-to-end tests of the `dashc` binary: exit codes, output formats and
//! the README's quickstart.

use std::path::Path;
use std::process::{Command, Output};

fn dashc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dashc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run dashc")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn quickstart_checks_clean() {
    let out = dashc(&["check", "pipelines/quickstart"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("ok:"));
}

#[test]
fn every_example_pipeline_checks_clean() {
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines")).unwrap()
    {
        let path = entry.unwrap().path();
        let out = dashc(&["check", path.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            path.display(),
            stderr(&out)
        );
    }
}

#[test]
fn errors_exit_1_with_file_line_col() {
    let out = dashc(&["check", "tests/check/err/e0005_misspelled_field.dash"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("E0005"), "{err}");
    assert!(err.contains("e0005_misspelled_field.dash:"), "{err}");
    assert!(err.contains("error: 1 error"), "{err}");
}

#[test]
fn json_output_is_machine_readable() {
    let out = dashc(&[
        "check",
        "--format",
        "json",
        "tests/check/err/e0005_misspelled_field.dash",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let first = &value[0];
    assert_eq!(first["code"], "E0005");
    assert_eq!(first["severity"], "error");
    assert!(first["line"].as_u64().unwrap() > 0);
    assert!(first["column"].as_u64().unwrap() > 0);
}

#[test]
fn missing_path_is_one_line_exit_2() {
    let out = dashc(&["check", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: cannot read `no/such/dir`"), "{err}");
}

#[test]
fn explain_prints_the_page() {
    let out = dashc(&["explain", "E0005"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# E0005"));
    let out = dashc(&["explain", "r0003"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# R0003: division by zero"));
    let out = dashc(&["explain", "E9999"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fmt_check_accepts_formatted_examples() {
    let out = dashc(&["fmt", "--check", "pipelines/quickstart"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
}

#[test]
fn readme_example_checks_clean() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("```dash\n").expect("a dash example") + "```dash\n".len();
    let end = start + readme[start..].find("```").expect("closed");
    let dir = std::env::temp_dir().join(format!("dash-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("readme.dash");
    std::fs::write(&file, &readme[start..end]).unwrap();
    let out = dashc(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn invalid_utf8_file_is_a_diagnostic() {
    let dir = std::env::temp_dir().join(format!("dash-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.dash");
    std::fs::write(&file, b"type A { x: int }\n\xff\n").unwrap();
    let out = dashc(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("E0002"), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn test_command_passes_and_fails() {
    let out = dashc(&["test", "pipelines/quickstart"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains("2 passed, 0 failed"), "{stdout}");

    let out = dashc(&["test", "tests/run_fail"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("temp_f: expected 86.5, got 86.0"),
        "{stdout}"
    );
    assert!(stdout.ends_with("0 passed, 6 failed\n"), "{stdout}");
}

#[test]
fn both_engines_run_the_tests_and_the_jit_is_the_default() {
    let default = dashc(&["test", "pipelines/quickstart"]);
    let jit = dashc(&["test", "--engine", "jit", "pipelines/quickstart"]);
    let interp = dashc(&["test", "--engine", "interp", "pipelines/quickstart"]);
    for out in [&default, &jit, &interp] {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    }
    assert_eq!(default.stdout, jit.stdout);
    assert_eq!(jit.stdout, interp.stdout);
}

#[test]
fn compile_emits_clif() {
    let out = dashc(&["compile", "--emit", "clif", "pipelines/quickstart"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.starts_with("; to_metric\nfunction "), "{stdout}");
    assert!(stdout.contains("call fn"), "{stdout}");
    // The transform's batch function (a loop over columns) too.
    assert!(
        stdout.contains("; to_metric (batch)\nfunction "),
        "{stdout}"
    );
}

#[test]
fn compile_emits_ir() {
    let out = dashc(&["compile", "--emit", "ir", "pipelines/quickstart"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.starts_with("layout Reading {"), "{stdout}");
    assert!(
        stdout.contains("fn to_metric(Reading) -> Metric {"),
        "{stdout}"
    );
}

#[test]
fn quickstart_runs_on_sqlite_and_reruns_write_nothing() {
    let dir = std::env::temp_dir().join(format!("dash-quickstart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/quickstart");
    std::fs::copy(root.join("weather.dash"), dir.join("weather.dash")).unwrap();
    std::fs::copy(
        root.join("data/readings.jsonl"),
        dir.join("data/readings.jsonl"),
    )
    .unwrap();
    let path = dir.to_str().unwrap();
    let out = dashc(&["run", path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The summary is on stderr (stdout belongs to `stdout` sinks).
    let stdout = stderr(&out);
    for line in [
        "read                      8",
        "written                   4",
        "skipped                   1",
        "dead-lettered             3",
    ] {
        assert!(stdout.contains(line), "{line} in {stdout}");
    }
    let out = dashc(&["dlq", "list", "--project", path]);
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        listed.contains("R0001") && listed.contains("3 dead letter(s)"),
        "{listed}"
    );
    let out = dashc(&["run", path]);
    assert!(stderr(&out).contains("read                      0"));
    std::fs::remove_dir_all(&dir).ok();
}
