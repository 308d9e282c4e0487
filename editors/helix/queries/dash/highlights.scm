; Highlights for Dash (tree-sitter) in Helix: the patterns of
; editors/tree-sitter-dash/queries/highlights.scm with Helix capture names
; (the tests check that the two stay in step). The first match wins.

; ------------------------------------------------------------ comments

(line_comment) @comment
(block_comment) @comment

; ------------------------------------------------------------ literals

(string_content) @string
(escape_sequence) @constant.character.escape
(interpolation
  "${" @punctuation.special
  "}" @punctuation.special)
(string) @string

(integer) @constant.numeric.integer
(negative_number) @constant.numeric.integer
(float) @constant.numeric.float
(duration) @constant.numeric.integer
(timestamp) @constant
(boolean) @constant.builtin.boolean
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
(pipeline_declaration name: (identifier) @namespace)
(kind (identifier) @constant.builtin)
(parameter name: (identifier) @variable.parameter)
(let_statement name: (identifier) @variable)
(step name: (identifier) @variable)
(stage (identifier) @constant)
(lookup_effect table: (identifier) @constant)
(rollup name: (identifier) @constant)
(rollup_column name: (identifier) @variable.other.member)
(rollup_column function: (identifier) @function.builtin)
(rollup_column argument: (identifier) @variable.other.member)
(option key: (identifier) @variable.other.member)

; ------------------------------------------------------------ calls

((call_expression function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "lower" "upper" "trim" "len" "contains" "starts_with" "ends_with" "replace"
    "substr" "split" "join" "matches" "abs" "round" "floor" "ceil" "min" "max"
    "clamp" "sqrt" "pow" "to_int" "to_float" "to_string" "parse_timestamp"
    "format_timestamp" "time_bucket" "now" "get" "sha256" "hash64"
    "year" "month" "day" "hour" "minute" "second" "weekday" "day_of_year" "unix_seconds" "unix_millis" "from_unix_seconds" "from_unix_millis" "date_trunc" "parse_duration" "pad_left" "pad_right" "index_of" "repeat" "url_encode" "url_decode" "base64_encode" "base64_decode" "hex_encode" "md5" "sha1" "hmac_sha256" "uuid_v5" "parse_query" "parse_key_value"
    "parse_json" "to_json" "encode_json" "as_int" "as_float" "as_string" "as_bool" "as_list"))
(call_expression function: (identifier) @function)

(field_identifier) @variable.other.member

; ------------------------------------------------------------ keywords

[
  "type"
  "source"
  "sink"
  "transform"
  "reactor"
  "pipeline"
  "test"
] @keyword.storage.type

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
] @keyword.control.conditional

[
  "require"
  "skip"
  "fail"
  "fails"
] @keyword.control.exception

"return" @keyword.control.return

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
