/**
 * @file Tree-sitter grammar for Dash, the data-pipeline language.
 * @license MIT OR Apache-2.0
 *
 * Mirrors grammar/dash.pest (the source of truth for the syntax) rule by
 * rule. Differences that a tree-sitter grammar cannot avoid:
 * - Block comments do not nest here (a regex token ends at the first `*\/`);
 *   Dash itself lets them nest.
 * - `T { … }` after an identifier is read both as a record and as the name
 *   followed by a block (GLR); the parse that survives wins, and where both
 *   do (`step x = y { … }`), the record, as in the pest grammar.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const PREC = {
  coalesce: 1, //  ??
  or: 2, //        or
  and: 3, //       and
  compare: 4, //   == != < <= > >=
  additive: 5, //  + -
  multiplicative: 6, // * / %
  unary: 7, //     - not
  postfix: 8, //   .f ?.f [i] f(…)
};

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/;

/**
 * One or more `rule`s separated by commas, with an optional trailing comma.
 * @param {RuleOrLiteral} rule
 */
function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)), optional(','));
}

/** @param {RuleOrLiteral} rule */
function commaSep(rule) {
  return optional(commaSep1(rule));
}

/**
 * Zero or more `rule`s, each optionally followed by a comma (record bodies,
 * option blocks, match arms).
 * @param {RuleOrLiteral} rule
 */
function items(rule) {
  return repeat(seq(rule, optional(',')));
}

module.exports = grammar({
  name: 'dash',

  word: $ => $.identifier,

  extras: $ => [/\s/, $.line_comment, $.block_comment],

  conflicts: $ => [
    // `if x {` / `match x {` / `step s = x {`: `x` may start a record
    // `x { f: … }` or be a whole expression followed by a block.
    [$._expression, $.record_expression],
  ],

  rules: {
    source_file: $ => repeat($._declaration),

    _declaration: $ => choice(
      $.type_declaration,
      $.source_declaration,
      $.sink_declaration,
      $.transform_declaration,
      $.reactor_declaration,
      $.pipeline_declaration,
      $.test_declaration,
    ),

    // ------------------------------------------------------------ comments

    line_comment: _ => token(seq('//', /[^\n]*/)),

    block_comment: _ => token(seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/')),

    // ------------------------------------------------------------ types

    _type: $ => choice($._type_identifier, $.list_type, $.nullable_type),

    list_type: $ => seq('[', field('element', $._type), ']'),

    nullable_type: $ => seq(field('type', choice($._type_identifier, $.list_type)), '?'),

    _type_identifier: $ => alias($.identifier, $.type_identifier),

    // ------------------------------------------------------------ declarations

    // type Name { field: Type @json("Key") … }
    type_declaration: $ => seq(
      'type',
      field('name', $._type_identifier),
      '{',
      items($.field_declaration),
      '}',
    ),

    field_declaration: $ => seq(
      field('name', $._field_identifier),
      ':',
      field('type', $._type),
      optional(field('attribute', $.json_attribute)),
    ),

    json_attribute: $ => seq('@json', '(', field('key', $.string), ')'),

    // source name: Type from KIND { options }
    source_declaration: $ => seq(
      'source',
      field('name', $.identifier),
      ':',
      field('type', $._type),
      'from',
      field('kind', $.kind),
      optional(field('options', $.option_block)),
    ),

    // sink name: Type into KIND { options }
    sink_declaration: $ => seq(
      'sink',
      field('name', $.identifier),
      ':',
      field('type', $._type),
      'into',
      field('kind', $.kind),
      optional(field('options', $.option_block)),
    ),

    // Any word, keywords included (`from http`).
    kind: $ => $.identifier,

    option_block: $ => seq('{', items(choice($.option, $.rollup)), '}'),

    option: $ => seq(
      field('key', $.identifier),
      ':',
      // `on_conflict: skip`: a keyword as a bare option value.
      field('value', choice($._effect, $.object, alias('skip', $.identifier), $._expression)),
    ),

    // rollup NAME every 1h { col: agg(field) … }
    rollup: $ => seq(
      'rollup',
      field('name', $.identifier),
      'every',
      field('interval', $._expression),
      '{',
      items($.rollup_column),
      '}',
    ),

    rollup_column: $ => seq(
      field('name', $.identifier),
      ':',
      field('function', $.identifier),
      '(',
      optional(field('argument', $.identifier)),
      ')',
    ),

    // transform name(p: In) -> Out { statements; final expression }
    transform_declaration: $ => seq(
      'transform',
      field('name', $.identifier),
      field('parameters', $.parameters),
      '->',
      field('return_type', $._type),
      field('body', $.block),
    ),

    parameters: $ => seq('(', commaSep($.parameter), ')'),

    parameter: $ => seq(field('name', $.identifier), ':', field('type', $._type)),

    // reactor name(p: In) -> Out { steps; return expr }
    reactor_declaration: $ => seq(
      'reactor',
      field('name', $.identifier),
      field('parameters', $.parameters),
      '->',
      field('return_type', $._type),
      field('body', $.reactor_body),
    ),

    reactor_body: $ => seq('{', repeat($.step), optional($.return_statement), '}'),

    step: $ => seq(
      'step',
      field('name', $.identifier),
      '=',
      field('value', choice($._effect, $._expression)),
      optional(field('options', $.option_block)),
    ),

    return_statement: $ => seq('return', field('value', $._expression)),

    _effect: $ => choice($.lookup_effect, $.http_effect),

    // lookup TABLE { column: expr … } as Type
    lookup_effect: $ => seq(
      'lookup',
      field('table', $.identifier),
      field('key', $.object),
      'as',
      field('type', $._type),
    ),

    // http METHOD "url" { body }? (as Type)?
    // A `{` right after the URL is the body, as in the pest grammar.
    http_effect: $ => prec.right(seq(
      'http',
      field('method', $.http_method),
      field('url', $.string),
      optional(field('body', $.object)),
      optional(seq('as', field('type', $._type))),
    )),

    // `get` and `post` are keywords only right after `http`.
    http_method: _ => choice('get', 'post', 'put', 'patch', 'delete'),

    object: $ => seq('{', items($.object_entry), '}'),

    object_entry: $ => seq(
      field('key', choice($._field_identifier, $.string)),
      ':',
      field('value', $._expression),
    ),

    // pipeline name { a -> b -> [c, d]  options }
    pipeline_declaration: $ => seq(
      'pipeline',
      field('name', $.identifier),
      '{',
      field('chain', $.chain),
      items($.option),
      '}',
    ),

    chain: $ => seq($.stage, repeat1(seq('->', choice($.fanout, $.stage)))),

    fanout: $ => seq('[', commaSep1($.stage), ']'),

    stage: $ => $.identifier,

    // test "name" { statements; expr }  or  { expr fails "message" }
    test_declaration: $ => seq(
      'test',
      field('name', $.string),
      '{',
      repeat($._statement),
      field('body', $._expression),
      optional($.fails_clause),
      '}',
    ),

    fails_clause: $ => seq('fails', field('message', $._expression)),

    // ------------------------------------------------------------ statements

    block: $ => seq(
      '{',
      repeat($._statement),
      optional(field('result', $._expression)),
      '}',
    ),

    _statement: $ => choice(
      $.let_statement,
      $.require_statement,
      $.skip_statement,
      $.fail_statement,
    ),

    let_statement: $ => seq(
      'let',
      field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      '=',
      field('value', $._expression),
    ),

    require_statement: $ => seq(
      'require',
      field('condition', $._expression),
      'else',
      field('message', $._expression),
    ),

    skip_statement: $ => seq('skip', 'if', field('condition', $._expression)),

    fail_statement: $ => seq('fail', field('message', $._expression)),

    // ------------------------------------------------------------ expressions

    _expression: $ => choice(
      $.binary_expression,
      $.unary_expression,
      $.field_expression,
      $.index_expression,
      $.call_expression,
      $.record_expression,
      $.if_expression,
      $.match_expression,
      $.list,
      $.parenthesized_expression,
      $.identifier,
      $._literal,
    ),

    binary_expression: $ => {
      /** @type {[number, RuleOrLiteral][]} */
      const table = [
        [PREC.coalesce, '??'],
        [PREC.or, 'or'],
        [PREC.and, 'and'],
        [PREC.compare, choice('==', '!=', '<', '<=', '>', '>=')],
        [PREC.additive, choice('+', '-')],
        [PREC.multiplicative, choice('*', '/', '%')],
      ];
      return choice(...table.map(([p, operator]) => prec.left(p, seq(
        field('left', $._expression),
        field('operator', operator),
        field('right', $._expression),
      ))));
    },

    unary_expression: $ => prec(PREC.unary, seq(
      field('operator', choice('-', 'not')),
      field('operand', $._expression),
    )),

    // r.field and r?.field
    field_expression: $ => prec(PREC.postfix, seq(
      field('value', $._expression),
      field('operator', choice('.', '?.')),
      field('field', $._field_identifier),
    )),

    index_expression: $ => prec(PREC.postfix, seq(
      field('value', $._expression),
      '[',
      field('index', $._expression),
      ']',
    )),

    // Only a name can be called: f(x), to_metric(r).
    call_expression: $ => prec(PREC.postfix, seq(
      field('function', $.identifier),
      field('arguments', $.arguments),
    )),

    arguments: $ => seq('(', commaSep($._expression), ')'),

    // Metric { station: s, … }
    record_expression: $ => prec.dynamic(1, seq(
      field('type', alias($.identifier, $.type_identifier)),
      '{',
      items($.field_initializer),
      '}',
    )),

    field_initializer: $ => seq(
      field('name', $._field_identifier),
      ':',
      field('value', $._expression),
    ),

    if_expression: $ => prec.right(seq(
      'if',
      field('condition', $._expression),
      field('consequence', $.block),
      optional(seq('else', field('alternative', choice($.if_expression, $.block)))),
    )),

    match_expression: $ => seq(
      'match',
      field('value', $._expression),
      '{',
      items($.match_arm),
      '}',
    ),

    match_arm: $ => seq(
      field('pattern', $._pattern),
      repeat(seq('|', field('pattern', $._pattern))),
      '=>',
      field('value', $._expression),
    ),

    _pattern: $ => choice($.wildcard, $.negative_number, $._literal),

    wildcard: _ => '_',

    negative_number: $ => seq('-', choice($.integer, $.float)),

    list: $ => seq('[', commaSep($._expression), ']'),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    _field_identifier: $ => alias($.identifier, $.field_identifier),

    // ------------------------------------------------------------ literals

    _literal: $ => choice(
      $.timestamp,
      $.duration,
      $.float,
      $.integer,
      $.string,
      $.boolean,
      $.null,
    ),

    integer: _ => /[0-9][0-9_]*/,

    float: _ => /[0-9][0-9_]*(\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?|[eE][+-]?[0-9][0-9_]*)/,

    // 250ms 10us 30s 5m 1h 7d
    duration: _ => /[0-9][0-9_]*(ms|us|s|m|h|d)/,

    // @2026-01-01T00:00:00Z (RFC 3339, checked by the compiler)
    timestamp: _ => /@[A-Za-z0-9:.+\-]+/,

    boolean: _ => choice('true', 'false'),

    null: _ => 'null',

    // Strings do not span lines; `${expr}` interpolates.
    string: $ => seq(
      '"',
      repeat(choice(
        $.string_content,
        $._dollar,
        $.escape_sequence,
        $.interpolation,
      )),
      token.immediate('"'),
    ),

    // Precedence 1 so that `//` in a string is not a comment. `$` is not
    // part of it: were it, the lexer could run on from `... // x $` into a
    // line comment when `{` follows.
    string_content: _ => token.immediate(prec(1, /[^"\\$\n]+/)),

    // a `$` that does not start `${` is text
    _dollar: _ => token.immediate(prec(1, '$')),

    escape_sequence: _ => token.immediate(prec(1, /\\(u\{[^}"\n]*\}|[^\n])/)),

    interpolation: $ => seq(
      alias(token.immediate(prec(1, '${')), '${'),
      field('expression', $._expression),
      '}',
    ),

    identifier: _ => IDENT,
  },
});
