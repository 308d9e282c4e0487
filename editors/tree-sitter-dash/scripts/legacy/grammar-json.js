// grammar.js -> the grammar JSON of tree-sitter 0.13, which has no fields
// (field(name, rule) becomes rule). Usage: node grammar-json.js > grammar.json
'use strict';
const path = require('node:path');
const { loadGrammar } = require('../../test/harness/dsl');

const g = loadGrammar(path.join(__dirname, '..', '..', 'grammar.js'));
function strip(rule) {
  if (Array.isArray(rule)) return rule.map(strip);
  if (rule && typeof rule === 'object') {
    if (rule.type === 'FIELD') return strip(rule.content);
    return Object.fromEntries(Object.entries(rule).map(([k, v]) => [k, strip(v)]));
  }
  return rule;
}
process.stdout.write(JSON.stringify({
  name: g.name,
  word: g.word,
  rules: strip(g.rules),
  extras: strip(g.extras),
  conflicts: g.conflicts,
  externals: [],
  inline: g.inline,
}, null, 2));
