//! The LSP methods. Each converts its parameters, runs the compiler's
//! analysis or an `ide` function under `catch_unwind`, and converts back.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use dash_check::Analysis;
use dash_ide::{self as ide, CompletionKind, TokenKind};
use dash_syntax::{FileId, SourceFile};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::convert;
use crate::state::{State, run_analysis};

pub struct Backend {
    client: Client,
    state: Mutex<State>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data behind
        // (every update is a single insert), so recover from poisoning.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Re-analyze the project of `path` and publish diagnostics for every
    /// file of it (empty lists clear fixed files).
    async fn refresh(&self, path: &Path) {
        let (dir, files, generation) = {
            let mut state = self.lock();
            let (dir, files) = state.project_files(path);
            let generation = state.next_generation(&dir);
            (dir, files, generation)
        };
        let analysis = match catch_unwind(AssertUnwindSafe(|| run_analysis(files))) {
            Ok(a) => Arc::new(a),
            Err(_) => {
                self.client
                    .log_message(
                        MessageType::ERROR,
                        "dash: internal error while analyzing; please report it",
                    )
                    .await;
                return;
            }
        };
        if !self.lock().store(&dir, generation, analysis.clone()) {
            return; // a newer analysis is on its way
        }
        for (i, file) in analysis.files.iter().enumerate() {
            let Some(uri) = convert::uri_of(&file.path) else {
                continue;
            };
            let diagnostics: Vec<Diagnostic> = analysis
                .diagnostics
                .iter()
                .filter(|d| d.primary.file == FileId(i as u32))
                .filter_map(|d| convert::diagnostic(&analysis.files, d))
                .collect();
            self.client
                .publish_diagnostics(uri, diagnostics, None)
                .await;
        }
    }

    /// Run `f` on the latest analysis of the file at `uri`.
    fn with_file<T>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&Analysis, Option<&Analysis>, FileId, &SourceFile) -> Option<T>,
    ) -> Result<Option<T>> {
        let Some(path) = path_of(uri) else {
            return Ok(None);
        };
        let (current, previous) = {
            let state = self.lock();
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            match state.project(&dir) {
                Some(p) => (p.current.clone(), p.previous.clone()),
                None => (None, None),
            }
        };
        let current = match current {
            Some(a) => a,
            None => {
                let (_, files) = self.lock().project_files(&path);
                Arc::new(run_analysis(files))
            }
        };
        let shown = path.display().to_string();
        let Some(index) = current.files.iter().position(|f| f.path == shown) else {
            return Ok(None);
        };
        let file = &current.files[index];
        catch_unwind(AssertUnwindSafe(|| {
            f(&current, previous.as_deref(), FileId(index as u32), file)
        }))
        .map_err(|_| Error::internal_error())
    }
}

fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::TYPE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::NAMESPACE,
];

impl LanguageServer for Backend {
    async fn initialize(&self, _: InitializeParams) -> Result<InitializeResult> {
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "dashc lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::FULL,
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".into(), ":".into(), ">".into()]),
                    ..CompletionOptions::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: SemanticTokensLegend {
                                token_types: TOKEN_TYPES.to_vec(),
                                token_modifiers: Vec::new(),
                            },
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            ..SemanticTokensOptions::default()
                        },
                    ),
                ),
                ..ServerCapabilities::default()
            },
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.client
            .log_message(MessageType::INFO, "dash language server ready")
            .await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        if let Some(path) = path_of(&doc.uri) {
            self.lock().set_document(&path, doc.version, doc.text);
            self.refresh(&path).await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        // Full sync: the last change holds the whole text.
        let Some(change) = params.content_changes.into_iter().last() else {
            return;
        };
        let applied = self
            .lock()
            .set_document(&path, params.text_document.version, change.text);
        if applied {
            self.refresh(&path).await;
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if let Some(path) = path_of(&params.text_document.uri) {
            self.refresh(&path).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if let Some(path) = path_of(&params.text_document.uri) {
            self.lock().close_document(&path);
            self.refresh(&path).await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        self.with_file(&at.text_document.uri, |analysis, _, file, source| {
            let h = ide::hover(analysis, file, convert::offset(source, at.position))?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: h.text,
                }),
                range: Some(convert::range(source, h.span)),
            })
        })
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let uri = at.text_document.uri.clone();
        let text = path_of(&uri).and_then(|p| self.lock().document(&p).map(str::to_string));
        self.with_file(&uri, |analysis, previous, file, source| {
            let text = text.unwrap_or_else(|| source.text.to_string());
            let current = SourceFile::new(source.path.clone(), text.clone());
            let offset = convert::offset(&current, at.position);
            let items = ide::complete(analysis, previous, file, &text, offset)
                .into_iter()
                .map(|c| CompletionItem {
                    label: c.label,
                    kind: Some(match c.kind {
                        CompletionKind::Field => CompletionItemKind::FIELD,
                        CompletionKind::Function => CompletionItemKind::FUNCTION,
                        CompletionKind::Type => CompletionItemKind::STRUCT,
                        CompletionKind::Stage => CompletionItemKind::MODULE,
                        CompletionKind::Option => CompletionItemKind::PROPERTY,
                        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
                        CompletionKind::Variable => CompletionItemKind::VARIABLE,
                    }),
                    detail: Some(c.detail),
                    documentation: c.documentation.map(Documentation::String),
                    ..CompletionItem::default()
                })
                .collect();
            Some(CompletionResponse::Array(items))
        })
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.with_file(&at.text_document.uri, |analysis, _, file, source| {
            let r = ide::symbol_at(analysis, file, convert::offset(source, at.position))?;
            let (def_file, span) = ide::definition(analysis, &r.symbol)?;
            let target = analysis.files.get(def_file.0 as usize)?;
            Some(GotoDefinitionResponse::Scalar(Location::new(
                convert::uri_of(&target.path)?,
                convert::range(target, span),
            )))
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        self.with_file(&at.text_document.uri, |analysis, _, file, source| {
            let r = ide::symbol_at(analysis, file, convert::offset(source, at.position))?;
            Some(
                ide::references(analysis, &r.symbol)
                    .into_iter()
                    .filter_map(|(f, span)| {
                        let target = analysis.files.get(f.0 as usize)?;
                        Some(Location::new(
                            convert::uri_of(&target.path)?,
                            convert::range(target, span),
                        ))
                    })
                    .collect(),
            )
        })
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let outcome = self.with_file(&at.text_document.uri, |analysis, _, file, source| {
            let edits = ide::rename(
                analysis,
                file,
                convert::offset(source, at.position),
                &params.new_name,
            );
            Some(edits.map(|edits| {
                let mut changes: std::collections::HashMap<Uri, Vec<TextEdit>> = Default::default();
                for (f, span, text) in edits {
                    if let Some(target) = analysis.files.get(f.0 as usize)
                        && let Some(uri) = convert::uri_of(&target.path)
                    {
                        changes
                            .entry(uri)
                            .or_default()
                            .push(TextEdit::new(convert::range(target, span), text));
                    }
                }
                WorkspaceEdit::new(changes)
            }))
        })?;
        match outcome {
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(message)) => Err(Error::invalid_params(message)),
            None => Ok(None),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.with_file(&params.text_document.uri, |analysis, _, file, source| {
            #[allow(deprecated)] // `deprecated` is a required field of the LSP type
            fn convert_item(source: &SourceFile, item: ide::OutlineItem) -> DocumentSymbol {
                DocumentSymbol {
                    name: item.name,
                    detail: (!item.detail.is_empty()).then_some(item.detail),
                    kind: match item.kind {
                        "type" => SymbolKind::STRUCT,
                        "field" => SymbolKind::FIELD,
                        "source" | "sink" => SymbolKind::INTERFACE,
                        "transform" | "reactor" => SymbolKind::FUNCTION,
                        "step" => SymbolKind::VARIABLE,
                        "pipeline" => SymbolKind::MODULE,
                        _ => SymbolKind::EVENT,
                    },
                    tags: None,
                    deprecated: None,
                    range: convert::range(source, item.span),
                    selection_range: convert::range(source, item.name_span),
                    children: Some(
                        item.children
                            .into_iter()
                            .map(|c| convert_item(source, c))
                            .collect(),
                    ),
                }
            }
            let items = ide::outline(analysis, file)
                .into_iter()
                .map(|i| convert_item(source, i))
                .collect();
            Some(DocumentSymbolResponse::Nested(items))
        })
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.with_file(&params.text_document.uri, |_, _, _, source| {
            let formatted = dash_syntax::fmt::format_source(&source.text).ok()?;
            if formatted == *source.text {
                return Some(Vec::new());
            }
            let end = convert::position(source, source.text.len());
            Some(vec![TextEdit::new(
                Range::new(Position::new(0, 0), end),
                formatted,
            )])
        })
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.with_file(&params.text_document.uri, |analysis, _, file, source| {
            let mut data = Vec::new();
            let (mut last_line, mut last_col) = (0u32, 0u32);
            for token in ide::tokens(analysis, file) {
                // LSP tokens are single-line: split multi-line comments.
                let text = source.text.get(token.span.range()).unwrap_or("");
                let mut start = token.span.start as usize;
                for piece in text.split('\n') {
                    let pos = convert::position(source, start);
                    let length = piece.encode_utf16().count() as u32;
                    if length > 0 {
                        let delta_line = pos.line - last_line;
                        let delta_start = if delta_line == 0 {
                            pos.character - last_col
                        } else {
                            pos.character
                        };
                        data.push(SemanticToken {
                            delta_line,
                            delta_start,
                            length,
                            token_type: TokenKind::ALL
                                .iter()
                                .position(|k| *k == token.kind)
                                .unwrap_or(0) as u32,
                            token_modifiers_bitset: 0,
                        });
                        last_line = pos.line;
                        last_col = pos.character;
                    }
                    start += piece.len() + 1;
                }
            }
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data,
            }))
        })
    }
}
