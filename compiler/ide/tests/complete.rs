//! Completion offers only what runs: options the checker refuses as not
//! supported yet (E0049) are not proposed.

use dash_check::analyze;
use dash_ide::complete;
use dash_syntax::{FileId, SourceFile};

fn labels(text: &str, marker: &str) -> Vec<String> {
    let offset = text.find(marker).expect("marker") + marker.len();
    let analysis = analyze(vec![SourceFile::new("p.dash", text.to_string())]);
    complete(&analysis, None, FileId(0), text, offset)
        .into_iter()
        .map(|c| c.label)
        .collect()
}

#[test]
fn source_options_that_run_are_offered() {
    let text = "type M { ts: timestamp }\nsource m: M from file {\n  path: \"m.jsonl\"\n  \n}\n";
    let options = labels(text, "path: \"m.jsonl\"\n  ");
    assert!(options.contains(&"format".to_string()), "{options:?}");
    assert!(options.contains(&"follow".to_string()), "{options:?}");
    let text = "type M { ts: timestamp }\nsource m: M from webhook {\n  path: \"/m\"\n  \n}\n";
    let options = labels(text, "path: \"/m\"\n  ");
    for runs in ["listen", "token", "secret", "max_body"] {
        assert!(options.contains(&runs.to_string()), "{runs}: {options:?}");
    }
}

#[test]
fn sink_options_that_run_are_offered() {
    let text = "type M { ts: timestamp }\nsink m: M into table {\n  table: \"m\"\n  \n}\n";
    let options = labels(text, "table: \"m\"\n  ");
    for runs in [
        "key",
        "time",
        "chunk",
        "retention",
        "compress_after",
        "rollup",
        "on_conflict",
    ] {
        assert!(options.contains(&runs.to_string()), "{runs}: {options:?}");
    }
}

#[test]
fn pipeline_options_are_offered() {
    let text = "pipeline p {\n  \n}\n";
    let options = labels(text, "pipeline p {\n  ");
    for runs in ["dlq", "workers", "max_error_rate"] {
        assert!(options.contains(&runs.to_string()), "{runs}: {options:?}");
    }
}
