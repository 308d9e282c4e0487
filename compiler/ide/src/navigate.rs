//! Go to definition, find references and rename, from the checker's
//! table of resolved names.

use dash_check::analysis::Analysis;
use dash_check::{Reference, Symbol};
use dash_syntax::is_identifier;
use dash_syntax::source::{FileId, Span};

/// The resolved name under `offset`, if any.
pub fn symbol_at(analysis: &Analysis, file: FileId, offset: usize) -> Option<&Reference> {
    analysis
        .program
        .references
        .iter()
        .filter(|r| {
            r.file == file && r.span.start as usize <= offset && offset <= r.span.end as usize
        })
        .min_by_key(|r| r.span.len())
}

/// Where a symbol is defined.
pub fn definition(analysis: &Analysis, symbol: &Symbol) -> Option<(FileId, Span)> {
    match symbol {
        Symbol::Global(name) => analysis
            .program
            .globals
            .get(name)
            .map(|g| (g.file, g.name_span)),
        Symbol::Field(record, index) => {
            let r = analysis.program.records.get(record.0 as usize)?;
            let field = r.fields.get(*index as usize)?;
            Some((r.file, field.span))
        }
        Symbol::Local(file, span) => Some((*file, *span)),
    }
}

/// Every occurrence of a symbol, its definition included, in order.
pub fn references(analysis: &Analysis, symbol: &Symbol) -> Vec<(FileId, Span)> {
    analysis
        .program
        .references
        .iter()
        .filter(|r| &r.symbol == symbol)
        .map(|r| (r.file, r.span))
        .collect()
}

/// The edits that rename the symbol under `offset` to `new_name`
/// everywhere in the project.
pub fn rename(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    new_name: &str,
) -> Result<Vec<(FileId, Span, String)>, String> {
    if !is_identifier(new_name) {
        return Err(format!(
            "`{new_name}` is not a valid name (letters, digits, `_`; not a keyword)"
        ));
    }
    let Some(reference) = symbol_at(analysis, file, offset) else {
        return Err("there is no renamable name here".into());
    };
    let symbol = reference.symbol.clone();
    if let Symbol::Global(name) = &symbol
        && dash_check::ty::builtin(name).is_some()
    {
        return Err("built-in types cannot be renamed".into());
    }
    Ok(references(analysis, &symbol)
        .into_iter()
        .map(|(f, s)| (f, s, new_name.to_string()))
        .collect())
}
