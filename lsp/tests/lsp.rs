//! In-process tests of the language server: a client drives the backend
//! directly and reads the notifications it sends.

use std::path::{Path, PathBuf};
use std::time::Duration;

use dash_lsp::Backend;
use futures::StreamExt;
use tower::{Service, ServiceExt};
use tower_lsp_server::LanguageServer;
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::Request;
use tower_lsp_server::ls_types::*;

const WEATHER: &str = "type Reading {\n  station: string\n  temp_c: float\n  humidity: float?\n}\n\ntype Metric {\n  station: string\n  temp_f: float\n}\n\ntransform to_metric(r: Reading) -> Metric {\n  let t = r.temp_c * 1.8 + 32.0\n  Metric { station: lower(r.station), temp_f: t }\n}\n";

struct Harness {
    service: LspService<Backend>,
    notifications: tokio::sync::mpsc::UnboundedReceiver<Request>,
    dir: PathBuf,
}

impl Harness {
    async fn new(name: &str, files: &[(&str, &str)]) -> Harness {
        let dir = std::env::temp_dir().join(format!("dash-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        let (mut service, mut socket) = LspService::new(Backend::new);
        let (tx, notifications) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(request) = socket.next().await {
                let _ = tx.send(request);
            }
        });
        // Through the service, so the server is marked initialized and may
        // send notifications.
        let init = Request::build("initialize")
            .params(serde_json::json!({ "capabilities": {} }))
            .id(1)
            .finish();
        service.ready().await.unwrap().call(init).await.unwrap();
        Harness {
            service,
            notifications,
            dir,
        }
    }

    fn server(&self) -> &Backend {
        self.service.inner()
    }

    fn uri(&self, file: &str) -> Uri {
        Uri::from_file_path(self.dir.join(file)).unwrap()
    }

    async fn open(&self, file: &str, version: i32, text: &str) {
        self.server()
            .did_open(DidOpenTextDocumentParams {
                text_document: TextDocumentItem::new(
                    self.uri(file),
                    "dash".into(),
                    version,
                    text.into(),
                ),
            })
            .await;
    }

    async fn change(&self, file: &str, version: i32, text: &str) {
        self.server()
            .did_change(DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier::new(self.uri(file), version),
                content_changes: vec![TextDocumentContentChangeEvent {
                    range: None,
                    range_length: None,
                    text: text.into(),
                }],
            })
            .await;
    }

    /// The next diagnostics published for `file`.
    async fn diagnostics(&mut self, file: &str) -> Vec<Diagnostic> {
        let uri = self.uri(file);
        loop {
            let request = tokio::time::timeout(Duration::from_secs(10), self.notifications.recv())
                .await
                .expect("diagnostics in time")
                .expect("a notification");
            if request.method() != "textDocument/publishDiagnostics" {
                continue;
            }
            let (_, _, params) = request.into_parts();
            let params: PublishDiagnosticsParams = serde_json::from_value(params.unwrap()).unwrap();
            if params.uri == uri {
                return params.diagnostics;
            }
        }
    }

    fn at(&self, file: &str, line: u32, character: u32) -> TextDocumentPositionParams {
        TextDocumentPositionParams::new(
            TextDocumentIdentifier::new(self.uri(file)),
            Position::new(line, character),
        )
    }
}

fn summary(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let code = match &d.code {
                Some(NumberOrString::String(s)) => s.clone(),
                _ => String::new(),
            };
            format!(
                "{}:{} {code} {}",
                d.range.start.line + 1,
                d.range.start.character + 1,
                d.message
            )
        })
        .collect()
}

#[tokio::test]
async fn diagnostics_appear_and_clear() {
    let mut h = Harness::new("diag", &[("weather.dash", WEATHER)]).await;
    h.open("weather.dash", 1, WEATHER).await;
    assert!(h.diagnostics("weather.dash").await.is_empty());

    let broken = WEATHER.replace("r.temp_c * 1.8", "r.temp * 1.8");
    h.change("weather.dash", 2, &broken).await;
    let diags = h.diagnostics("weather.dash").await;
    insta::assert_debug_snapshot!(summary(&diags));

    h.change("weather.dash", 3, WEATHER).await;
    assert!(h.diagnostics("weather.dash").await.is_empty());
}

#[tokio::test]
async fn stale_changes_are_ignored() {
    let mut h = Harness::new("stale", &[("weather.dash", WEATHER)]).await;
    h.open("weather.dash", 1, WEATHER).await;
    h.diagnostics("weather.dash").await;
    let broken = WEATHER.replace("r.temp_c * 1.8", "r.temp * 1.8");
    h.change("weather.dash", 5, &broken).await;
    assert_eq!(h.diagnostics("weather.dash").await.len(), 1);
    // A late, older change must not overwrite version 5.
    h.change("weather.dash", 4, WEATHER).await;
    let hover = h
        .server()
        .hover(HoverParams {
            text_document_position_params: h.at("weather.dash", 12, 13),
            work_done_progress_params: Default::default(),
        })
        .await
        .unwrap();
    assert!(hover.is_some());
    h.change("weather.dash", 6, WEATHER).await;
    assert!(h.diagnostics("weather.dash").await.is_empty());
}

#[tokio::test]
async fn cross_file_errors_are_reported() {
    let types = "type Reading {\n  station: string\n}\n";
    let uses = "transform f(r: Reading) -> string {\n  r.statoin\n}\n";
    let mut h = Harness::new("cross", &[("types.dash", types), ("uses.dash", uses)]).await;
    h.open("uses.dash", 1, uses).await;
    let diags = h.diagnostics("uses.dash").await;
    insta::assert_debug_snapshot!(summary(&diags));
}

#[tokio::test]
async fn hover_definition_references_rename() {
    let mut h = Harness::new("nav", &[("weather.dash", WEATHER)]).await;
    h.open("weather.dash", 1, WEATHER).await;
    h.diagnostics("weather.dash").await;
    let s = h.server();

    // Hover over `temp_c` in `r.temp_c` (line 13, 0-based 12).
    let hover = s
        .hover(HoverParams {
            text_document_position_params: h.at("weather.dash", 12, 13),
            work_done_progress_params: Default::default(),
        })
        .await
        .unwrap()
        .unwrap();
    let HoverContents::Markup(markup) = hover.contents else {
        panic!("markdown hover")
    };
    insta::assert_snapshot!("hover_field", markup.value);

    // Hover over a built-in function.
    let hover = s
        .hover(HoverParams {
            text_document_position_params: h.at("weather.dash", 13, 22),
            work_done_progress_params: Default::default(),
        })
        .await
        .unwrap()
        .unwrap();
    let HoverContents::Markup(markup) = hover.contents else {
        panic!("markdown hover")
    };
    assert!(
        markup.value.contains("lower(s: string) -> string"),
        "{}",
        markup.value
    );

    // Go to the definition of `temp_c`.
    let def = s
        .goto_definition(GotoDefinitionParams {
            text_document_position_params: h.at("weather.dash", 12, 13),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .await
        .unwrap()
        .unwrap();
    let GotoDefinitionResponse::Scalar(location) = def else {
        panic!("one location")
    };
    assert_eq!(location.range.start, Position::new(2, 2));

    // References of `Metric`: its definition, the output type, the construction.
    let refs = s
        .references(ReferenceParams {
            text_document_position: h.at("weather.dash", 6, 6),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: ReferenceContext {
                include_declaration: true,
            },
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refs.len(), 3, "{refs:?}");

    // Rename `t` (a let) everywhere.
    let edit = s
        .rename(RenameParams {
            text_document_position: h.at("weather.dash", 12, 6),
            new_name: "fahrenheit".into(),
            work_done_progress_params: Default::default(),
        })
        .await
        .unwrap()
        .unwrap();
    let edits: usize = edit.changes.unwrap().values().map(Vec::len).sum();
    assert_eq!(edits, 2);
}

#[tokio::test]
async fn completion_of_fields_options_and_functions() {
    let mut h = Harness::new("complete", &[("weather.dash", WEATHER)]).await;
    h.open("weather.dash", 1, WEATHER).await;
    h.diagnostics("weather.dash").await;
    // Typing `r.` in a new line: the declaration does not parse any more.
    let typing = WEATHER.replace(
        "  let t = r.temp_c * 1.8 + 32.0\n",
        "  let t = r.temp_c * 1.8 + 32.0\n  let u = r.\n",
    );
    h.change("weather.dash", 2, &typing).await;
    h.diagnostics("weather.dash").await;
    let labels = |response: Option<CompletionResponse>| -> Vec<String> {
        match response {
            Some(CompletionResponse::Array(items)) => items.into_iter().map(|i| i.label).collect(),
            _ => Vec::new(),
        }
    };
    let fields = h
        .server()
        .completion(CompletionParams {
            text_document_position: h.at("weather.dash", 13, 12),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: None,
        })
        .await
        .unwrap();
    assert_eq!(labels(fields), vec!["station", "temp_c", "humidity"]);

    let with_source = format!("{WEATHER}\nsource readings: Reading from file {{\n  pa\n}}\n");
    h.change("weather.dash", 3, &with_source).await;
    h.diagnostics("weather.dash").await;
    let line = with_source.lines().count() as u32 - 2;
    let options = labels(
        h.server()
            .completion(CompletionParams {
                text_document_position: h.at("weather.dash", line, 4),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
                context: None,
            })
            .await
            .unwrap(),
    );
    assert!(
        options.contains(&"path".to_string()) && options.contains(&"format".to_string()),
        "{options:?}"
    );

    let anywhere = labels(
        h.server()
            .completion(CompletionParams {
                text_document_position: h.at("weather.dash", 13, 2),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
                context: None,
            })
            .await
            .unwrap(),
    );
    for expected in ["lower", "round", "to_metric", "Metric", "r", "let"] {
        assert!(
            anywhere.contains(&expected.to_string()),
            "{expected} in {anywhere:?}"
        );
    }
}

#[tokio::test]
async fn healthy_declarations_work_in_a_broken_file() {
    let broken = format!("{WEATHER}\ntransform oops(r: Reading) -> Metric {{\n  let = \n}}\n");
    let mut h = Harness::new("broken", &[("weather.dash", &broken)]).await;
    h.open("weather.dash", 1, &broken).await;
    let diags = h.diagnostics("weather.dash").await;
    assert_eq!(summary(&diags).len(), 1, "{:?}", summary(&diags));
    let hover = h
        .server()
        .hover(HoverParams {
            text_document_position_params: h.at("weather.dash", 12, 13),
            work_done_progress_params: Default::default(),
        })
        .await
        .unwrap();
    assert!(hover.is_some());
    let symbols = h
        .server()
        .document_symbol(DocumentSymbolParams {
            text_document: TextDocumentIdentifier::new(h.uri("weather.dash")),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .await
        .unwrap();
    let Some(DocumentSymbolResponse::Nested(symbols)) = symbols else {
        panic!("symbols")
    };
    let names: Vec<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["Reading", "Metric", "to_metric"]);
}

#[tokio::test]
async fn formatting_and_semantic_tokens() {
    let messy = "type A {x: int}\n";
    let mut h = Harness::new("fmt", &[("a.dash", messy)]).await;
    h.open("a.dash", 1, messy).await;
    h.diagnostics("a.dash").await;
    let edits = h
        .server()
        .formatting(DocumentFormattingParams {
            text_document: TextDocumentIdentifier::new(h.uri("a.dash")),
            options: FormattingOptions::default(),
            work_done_progress_params: Default::default(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(edits[0].new_text, "type A {\n  x: int\n}\n");
    let tokens = h
        .server()
        .semantic_tokens_full(SemanticTokensParams {
            text_document: TextDocumentIdentifier::new(h.uri("a.dash")),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .await
        .unwrap();
    let Some(SemanticTokensResult::Tokens(tokens)) = tokens else {
        panic!("tokens")
    };
    // `type` keyword, `A` type, `x` property, `int` type.
    let kinds: Vec<u32> = tokens.data.iter().map(|t| t.token_type).collect();
    assert_eq!(kinds, vec![0, 1, 3, 1]);
    let _ = Path::new("");
}
