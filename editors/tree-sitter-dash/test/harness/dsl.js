// A stand-in for the tree-sitter CLI's grammar DSL (dsl.js): evaluates
// grammar.js into the same JSON shape as `tree-sitter generate` writes to
// src/grammar.json. Used by the offline checker (check.js); the real CLI
// does not need it.
'use strict';

function normalize(value) {
  if (typeof value === 'string') return { type: 'STRING', value };
  if (Object.prototype.toString.call(value) === '[object RegExp]') return { type: 'PATTERN', value: value.source, ...(value.flags ? { flags: value.flags } : {}) };
  if (value && typeof value === 'object' && typeof value.type === 'string') return value;
  if (value === undefined) throw new Error('undefined rule (a misspelled $.name?)');
  throw new Error(`not a rule: ${JSON.stringify(value)}`);
}

// `$.x` used only as an alias name need not be a rule.
const aliasUses = new Map();

const dsl = {
  blank: () => ({ type: 'BLANK' }),
  seq: (...members) => ({ type: 'SEQ', members: members.map(normalize) }),
  choice: (...members) => ({ type: 'CHOICE', members: members.map(normalize) }),
  optional: (rule) => ({ type: 'CHOICE', members: [normalize(rule), { type: 'BLANK' }] }),
  repeat: (rule) => ({ type: 'REPEAT', content: normalize(rule) }),
  repeat1: (rule) => ({ type: 'REPEAT1', content: normalize(rule) }),
  field: (name, rule) => ({ type: 'FIELD', name, content: normalize(rule) }),
  alias: (rule, value) => {
    const content = normalize(rule);
    if (typeof value === 'string') return { type: 'ALIAS', content, named: false, value };
    if (value && value.type === 'SYMBOL') {
      aliasUses.set(value.name, (aliasUses.get(value.name) || 0) + 1);
      return { type: 'ALIAS', content, named: true, value: value.name };
    }
    throw new Error('alias value must be a string or a $.symbol');
  },
};

function prec(number, rule) {
  if (rule === undefined) { rule = number; number = 0; }
  return { type: 'PREC', value: number, content: normalize(rule) };
}
prec.left = (number, rule) => {
  if (rule === undefined) { rule = number; number = 0; }
  return { type: 'PREC_LEFT', value: number, content: normalize(rule) };
};
prec.right = (number, rule) => {
  if (rule === undefined) { rule = number; number = 0; }
  return { type: 'PREC_RIGHT', value: number, content: normalize(rule) };
};
prec.dynamic = (number, rule) => ({ type: 'PREC_DYNAMIC', value: number, content: normalize(rule) });
dsl.prec = prec;

function token(rule) { return { type: 'TOKEN', content: normalize(rule) }; }
token.immediate = (rule) => ({ type: 'IMMEDIATE_TOKEN', content: normalize(rule) });
dsl.token = token;

function grammar(options) {
  const referenced = new Map();
  aliasUses.clear();
  const $ = new Proxy({}, {
    get(_, name) {
      if (typeof name !== 'string') return undefined;
      referenced.set(name, (referenced.get(name) || 0) + 1);
      return { type: 'SYMBOL', name };
    },
  });
  const rules = {};
  for (const [name, fn] of Object.entries(options.rules)) {
    rules[name] = normalize(fn.call(null, $, undefined));
  }
  const call = (fn) => (fn ? fn.call(null, $) : undefined);
  const out = {
    name: options.name,
    word: options.word ? call(options.word).name : undefined,
    rules,
    extras: (call(options.extras) || [/\s/]).map(normalize),
    conflicts: (call(options.conflicts) || []).map((c) => c.map((s) => s.name)),
    precedences: call(options.precedences) || [],
    externals: (call(options.externals) || []).map(normalize),
    inline: (call(options.inline) || []).map((s) => s.name),
    supertypes: (call(options.supertypes) || []).map((s) => s.name),
  };
  const missing = [...referenced]
    .filter(([n, count]) => !(n in rules) && count > (aliasUses.get(n) || 0))
    .map(([n]) => n);
  if (missing.length) throw new Error(`undefined rules referenced: ${missing.join(', ')}`);
  return out;
}
dsl.grammar = grammar;

// Evaluate a grammar.js file with the DSL in scope.
function loadGrammar(file) {
  const fs = require('node:fs');
  const vm = require('node:vm');
  const path = require('node:path');
  const code = fs.readFileSync(file, 'utf8');
  const module = { exports: {} };
  const context = vm.createContext({ ...dsl, module, exports: module.exports, require, console });
  vm.runInContext(code, context, { filename: path.resolve(file) });
  return module.exports;
}

module.exports = { ...dsl, loadGrammar };
