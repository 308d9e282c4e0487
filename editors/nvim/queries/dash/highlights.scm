; Highlights for Dash (tree-sitter) in Neovim. Neovim applies the LAST
; pattern that matches a node, so these are the patterns of
; editors/tree-sitter-dash/queries/highlights.scm in reverse order (the
; tests check that the two stay in step): general patterns first.

(identifier) @variable

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

[
  "."
  ","
  ":"
] @punctuation.delimiter

(field_expression "?." @operator)

(nullable_type "?" @operator)

[
  "??"
  "=="
  "!="
  "<"
  "<="
  ">"
  ">="
  "+"
  "-"
  "*"
  "/"
  "%"
  "="
  "->"
  "=>"
  "|"
] @operator

[
  "and"
  "or"
  "not"
] @keyword.operator

"return" @keyword.return

[
  "require"
  "skip"
  "fail"
  "fails"
] @keyword.exception

[
  "if"
  "else"
  "match"
] @keyword.conditional

(http_method) @keyword

[
  "from"
  "into"
  "as"
  "lookup"
  "http"
  "rollup"
  "every"
] @keyword

[
  "let"
  "step"
] @keyword

[
  "type"
  "source"
  "sink"
  "transform"
  "reactor"
  "pipeline"
  "test"
] @keyword.type

(field_identifier) @variable.member

(call_expression function: (identifier) @function.call)

((call_expression function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "lower" "upper" "trim" "len" "contains" "starts_with" "ends_with" "replace"
    "substr" "split" "join" "matches" "abs" "round" "floor" "ceil" "min" "max"
    "clamp" "sqrt" "pow" "to_int" "to_float" "to_string" "parse_timestamp"
    "format_timestamp" "time_bucket" "now" "get" "sha256" "hash64"
    "year" "month" "day" "hour" "minute" "second" "weekday" "day_of_year" "unix_seconds" "unix_millis" "from_unix_seconds" "from_unix_millis" "date_trunc" "parse_duration" "pad_left" "pad_right" "index_of" "repeat" "url_encode" "url_decode" "base64_encode" "base64_decode" "hex_encode" "md5" "sha1" "hmac_sha256" "uuid_v5" "parse_query" "parse_key_value"
    "parse_json" "to_json" "encode_json" "as_int" "as_float" "as_string" "as_bool" "as_list"))

(option key: (identifier) @property)

(rollup_column argument: (identifier) @property)

(rollup_column function: (identifier) @function.builtin)

(rollup_column name: (identifier) @property)

(rollup name: (identifier) @constant)

(lookup_effect table: (identifier) @constant)

(stage (identifier) @constant)

(step name: (identifier) @variable)

(let_statement name: (identifier) @variable)

(parameter name: (identifier) @variable.parameter)

(kind (identifier) @constant.builtin)

(pipeline_declaration name: (identifier) @module)

(sink_declaration name: (identifier) @constant)

(source_declaration name: (identifier) @constant)

(reactor_declaration name: (identifier) @function)

(transform_declaration name: (identifier) @function)

(type_identifier) @type

((type_identifier) @type.builtin
  (#any-of? @type.builtin "bool" "int" "float" "string" "timestamp" "duration" "json"))

(json_attribute
  "@json" @attribute)

(wildcard) @variable.builtin

(null) @constant.builtin

(boolean) @boolean

(timestamp) @constant

(duration) @number

(float) @number.float

(negative_number) @number

(integer) @number

(string) @string

(interpolation
  "${" @punctuation.special
  "}" @punctuation.special)

(escape_sequence) @string.escape

(string_content) @string

(block_comment) @comment

(line_comment) @comment
