; Highlights for Dash (tree-sitter). The first pattern that matches a node
; wins (tree-sitter highlight, Helix, Zed): specific patterns come first.
; Capture names follow nvim-treesitter's; editors/nvim/queries/dash/ holds
; the same patterns in Neovim's order (last match wins).

; ------------------------------------------------------------ comments

(line_comment) @comment
(block_comment) @comment

; ------------------------------------------------------------ literals

(string_content) @string
(escape_sequence) @string.escape
(interpolation
  "${" @punctuation.special
  "}" @punctuation.special)
(string) @string

(integer) @number
(negative_number) @number
(float) @number.float
(duration) @number
(timestamp) @constant
(boolean) @boolean
(null) @constant.builtin
(wildcard) @variable.builtin

(json_attribute
  "@json" @attribute)

; ------------------------------------------------------------ types

((type_identifier) @type.builtin
  (#any-of? @type.builtin "bool" "int" "float" "string" "timestamp" "duration" "json"))
(type_identifier) @type

; ------------------------------------------------------------ declarations

(transform_declaration name: (identifier) @function)
(reactor_declaration name: (identifier) @function)
(source_declaration name: (identifier) @constant)
(sink_declaration name: (identifier) @constant)
(pipeline_declaration name: (identifier) @module)
(kind (identifier) @constant.builtin)
(parameter name: (identifier) @variable.parameter)
(let_statement name: (identifier) @variable)
(step name: (identifier) @variable)
(stage (identifier) @constant)
(lookup_effect table: (identifier) @constant)
(rollup name: (identifier) @constant)
(rollup_column name: (identifier) @property)
(rollup_column function: (identifier) @function.builtin)
(rollup_column argument: (identifier) @property)
(option key: (identifier) @property)

; ------------------------------------------------------------ calls

((call_expression function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "lower" "upper" "trim" "len" "contains" "starts_with" "ends_with" "replace"
    "substr" "split" "join" "matches" "abs" "round" "floor" "ceil" "min" "max"
    "clamp" "sqrt" "pow" "to_int" "to_float" "to_string" "parse_timestamp"
    "format_timestamp" "time_bucket" "now" "get" "sha256" "hash64"
    "year" "month" "day" "hour" "minute" "second" "weekday" "day_of_year" "unix_seconds" "unix_millis" "from_unix_seconds" "from_unix_millis" "date_trunc" "parse_duration" "pad_left" "pad_right" "index_of" "repeat" "url_encode" "url_decode" "base64_encode" "base64_decode" "hex_encode" "md5" "sha1" "hmac_sha256" "uuid_v5" "parse_query" "parse_key_value"
    "parse_json" "to_json" "encode_json" "as_int" "as_float" "as_string" "as_bool" "as_list"))
(call_expression function: (identifier) @function.call)

(field_identifier) @variable.member

; ------------------------------------------------------------ keywords

[
  "type"
  "source"
  "sink"
  "transform"
  "reactor"
  "pipeline"
  "test"
] @keyword.type

[
  "let"
  "step"
] @keyword

[
  "from"
  "into"
  "as"
  "lookup"
  "http"
  "rollup"
  "every"
] @keyword

(http_method) @keyword

[
  "if"
  "else"
  "match"
] @keyword.conditional

[
  "require"
  "skip"
  "fail"
  "fails"
] @keyword.exception

"return" @keyword.return

[
  "and"
  "or"
  "not"
] @keyword.operator

; ------------------------------------------------------------ operators

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

(nullable_type "?" @operator)
(field_expression "?." @operator)

[
  "."
  ","
  ":"
] @punctuation.delimiter

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

; ------------------------------------------------------------ the rest

(identifier) @variable
