; Indentation for Dash in Helix: one level inside each bracketed body.

[
  (type_declaration)
  (option_block)
  (rollup)
  (parameters)
  (reactor_body)
  (pipeline_declaration)
  (fanout)
  (test_declaration)
  (block)
  (object)
  (record_expression)
  (match_expression)
  (arguments)
  (list)
  (parenthesized_expression)
] @indent

[
  "}"
  "]"
  ")"
] @outdent
