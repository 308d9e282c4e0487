//! The Dash language server (`dashc lsp`): a thin adapter from LSP to the
//! compiler's [`dash_check::analyze`] and [`dash_ide`].
//!
//! - `state.rs` keeps open documents (applied in version order) and the
//!   latest analysis of each project (a directory's `.dash` files, open
//!   documents overriding the disk).
//! - `convert.rs` converts positions (UTF-16) and compiler results to LSP.
//! - `server.rs` implements the LSP methods; every computation runs under
//!   `catch_unwind`, so a bug becomes a logged error, not a dead server.

mod convert;
mod server;
mod state;

pub use server::Backend;

use tower_lsp_server::{LspService, Server};

/// Serve LSP over stdin/stdout until the client exits.
pub async fn serve_stdio() {
    let stdin = tokio::io::stdin();
    let stdout = tokio::io::stdout();
    let (service, socket) = LspService::new(Backend::new);
    Server::new(stdin, stdout, socket).serve(service).await;
}

/// Run the server on a fresh tokio runtime (what `dashc lsp` calls).
pub fn run() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(serve_stdio());
    Ok(())
}
