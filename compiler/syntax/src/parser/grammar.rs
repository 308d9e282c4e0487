//! The pest parser generated from `grammar/dash.pest`.

use pest::Parser;
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/dash.pest"]
pub struct DashParser;

/// Parse one top-level declaration (a chunk from the splitter).
pub fn parse_declaration(text: &str) -> Result<Pair<'_, Rule>, Box<pest::error::Error<Rule>>> {
    let mut pairs = DashParser::parse(Rule::declaration_only, text).map_err(Box::new)?;
    match pairs.next() {
        Some(pair) => Ok(pair),
        None => Err(Box::new(pest::error::Error::new_from_pos(
            pest::error::ErrorVariant::CustomError {
                message: "expected a declaration".into(),
            },
            pest::Position::from_start(text),
        ))),
    }
}

/// Re-parse a failing chunk with pest's detailed error tracking on, to learn
/// every token that would have been accepted at the error.
pub fn parse_with_detail(text: &str) -> Option<pest::error::Error<Rule>> {
    pest::set_error_detail(true);
    let result = DashParser::parse(Rule::declaration_only, text);
    pest::set_error_detail(false);
    result.err()
}

/// Keyword pairs carry no information for the AST.
pub fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_type
            | Rule::kw_source
            | Rule::kw_sink
            | Rule::kw_transform
            | Rule::kw_reactor
            | Rule::kw_pipeline
            | Rule::kw_test
            | Rule::kw_let
            | Rule::kw_require
            | Rule::kw_else
            | Rule::kw_skip
            | Rule::kw_fail
            | Rule::kw_fails
            | Rule::kw_if
            | Rule::kw_match
            | Rule::kw_step
            | Rule::kw_return
            | Rule::kw_from
            | Rule::kw_into
            | Rule::kw_as
            | Rule::kw_lookup
            | Rule::kw_http
            | Rule::kw_rollup
            | Rule::kw_every
    )
}
