//! Benchmark: time from a `didChange` of a 2,000-line file to the
//! `publishDiagnostics` it causes, through the real server in-process.
//!
//! `cargo bench -p dash-lsp --bench latency` prints a table.

use std::time::{Duration, Instant};

use dash_lsp::Backend;
use futures::StreamExt;
use tower::{Service, ServiceExt};
use tower_lsp_server::LanguageServer;
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::Request;
use tower_lsp_server::ls_types::*;

/// A realistic module of about 40 lines.
fn module(i: usize) -> String {
    format!(
        "type Reading{i} {{\n  station: string\n  ts: timestamp\n  temp_c: float\n  humidity: float?\n}}\n\n\
         type Metric{i} {{\n  station: string\n  ts: timestamp\n  temp_f: float\n  humidity: float\n  comfort: string\n}}\n\n\
         transform to_metric{i}(r: Reading{i}) -> Metric{i} {{\n  let station = lower(trim(r.station))\n  \
         require station != \"\" else \"empty station\"\n  let temp_f = r.temp_c * 9.0 / 5.0 + 32.0\n  \
         skip if temp_f < -100.0\n  Metric{i} {{\n    station: station,\n    ts: r.ts,\n    temp_f: round(temp_f, 1),\n    \
         humidity: r.humidity ?? 0.0,\n    comfort: if temp_f > 80.0 {{ \"hot\" }} else {{ \"ok\" }},\n  }}\n}}\n\n\
         test \"module {i}\" {{\n  to_metric{i}(Reading{i} {{ station: \"a\", ts: @2026-01-01T00:00:00Z, temp_c: 30.0 }}).temp_f == 86.0\n}}\n\n"
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut text = String::new();
    let mut i = 0;
    while text.lines().count() < 2_000 {
        text.push_str(&module(i));
        i += 1;
    }
    let lines = text.lines().count();
    let dir = std::env::temp_dir().join(format!("dash-lsp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join("big.dash");
    std::fs::write(&path, &text).expect("bench file");
    let uri = Uri::from_file_path(&path).expect("uri");

    let (mut service, mut socket) = LspService::new(Backend::new);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Request>();
    tokio::spawn(async move {
        while let Some(r) = socket.next().await {
            let _ = tx.send(r);
        }
    });
    let init = Request::build("initialize")
        .params(serde_json::json!({ "capabilities": {} }))
        .id(1)
        .finish();
    service
        .ready()
        .await
        .expect("ready")
        .call(init)
        .await
        .expect("initialize");
    let server = service.inner();
    server
        .did_open(DidOpenTextDocumentParams {
            text_document: TextDocumentItem::new(uri.clone(), "dash".into(), 1, text.clone()),
        })
        .await;
    wait_for_diagnostics(&mut rx).await;

    let mut samples = Vec::new();
    for version in 2..=31 {
        // Alternate between a broken and a fixed file.
        let changed = if version % 2 == 0 {
            text.replacen("r.temp_c * 9.0", "r.temp * 9.0", 1)
        } else {
            text.clone()
        };
        let start = Instant::now();
        server
            .did_change(DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier::new(uri.clone(), version),
                content_changes: vec![TextDocumentContentChangeEvent {
                    range: None,
                    range_length: None,
                    text: changed,
                }],
            })
            .await;
        wait_for_diagnostics(&mut rx).await;
        samples.push(start.elapsed());
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("| file | changes | min | median | max |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| {lines} lines | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
        samples.len(),
        ms(samples[0]),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

async fn wait_for_diagnostics(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Request>) {
    while let Some(r) = rx.recv().await {
        if r.method() == "textDocument/publishDiagnostics" {
            return;
        }
    }
}
