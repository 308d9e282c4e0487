//! Editor features over an [`Analysis`]: hover, go to definition,
//! references, rename, completion, outline and semantic tokens. Pure
//! functions of the analysis (and the text), so the language server is a
//! thin adapter and everything here is testable without LSP.

mod complete;
mod hover;
mod navigate;
mod outline;
mod tokens;

pub use complete::{Completion, CompletionKind, complete};
pub use hover::{Hover, hover};
pub use navigate::{definition, references, rename, symbol_at};
pub use outline::{OutlineItem, outline};
pub use tokens::{Token, TokenKind, tokens};
