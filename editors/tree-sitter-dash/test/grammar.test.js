// `npm test`: checks grammar.js without the tree-sitter CLI (see
// test/harness/): the grammar evaluates, every sample program of the
// repository parses, the corpus in test/corpus/ gives the expected trees,
// and the highlight queries name only nodes and fields that exist.
// scripts/cli-test.sh runs the real `tree-sitter generate/test/parse`
// where the CLI is installed.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { loadGrammar } = require('./harness/dsl');
const { Grammar, parse, toTree, sexp } = require('./harness/parser');
const { checkQuery } = require('./harness/queries');

const ROOT = path.join(__dirname, '..');
const REPO = path.resolve(ROOT, '..', '..');
const json = loadGrammar(path.join(ROOT, 'grammar.js'));
const grammar = new Grammar(json);

function dashFiles(dir) {
  const abs = path.join(REPO, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return dashFiles(p);
    return e.name.endsWith('.dash') ? [p] : [];
  }).sort();
}

test('grammar.js evaluates and its conflicts name real rules', () => {
  assert.equal(json.name, 'dash');
  assert.equal(json.word, 'identifier');
  for (const set of json.conflicts) for (const name of set) assert.ok(name in json.rules, name);
});

test('every keyword of LANGUAGE.md §2 is a token of the grammar', () => {
  const keywords = 'type source sink transform reactor pipeline test let require else skip fail if match step return from into as lookup http true false null and or not fails get post put patch delete'.split(' ');
  for (const k of keywords) {
    assert.ok(grammar.terminals.some((t) => t.literal === k && t.keyword), k);
  }
});

const SAMPLES = [
  ...dashFiles('tests/check/ok'),
  ...dashFiles('tests/parse'),
  ...dashFiles('tests/fmt'),
  ...dashFiles('tests/run'),
  ...dashFiles('tests/run_fail'),
  ...dashFiles('tests/ir'),
  ...dashFiles('pipelines'),
];

test('the samples include tests/check/ok and tests/parse', () => {
  assert.ok(SAMPLES.filter((f) => f.startsWith(path.join('tests', 'check', 'ok'))).length >= 10);
  assert.ok(SAMPLES.some((f) => f.startsWith(path.join('tests', 'parse'))));
});

for (const file of SAMPLES) {
  test(`parses ${file}`, () => {
    const text = fs.readFileSync(path.join(REPO, file), 'utf8');
    const tree = toTree(parse(grammar, text));
    assert.equal(tree.type, 'source_file');
    assert.ok(!sexp(tree).includes('ERROR'));
  });
}

// Programs the compiler rejects as syntax errors (E0001) are rejected here
// too, except where tree-sitter is deliberately more lenient: keywords are
// contextual, so `source: string` is a field.
const LENIENT = new Set(['e0001_keyword_as_field.dash']);
for (const file of dashFiles('tests/check/err').filter((f) => path.basename(f).startsWith('e0001_'))) {
  if (LENIENT.has(path.basename(file))) continue;
  test(`rejects ${file}`, () => {
    const text = fs.readFileSync(path.join(REPO, file), 'utf8');
    assert.throws(() => parse(grammar, text), /syntax error/);
  });
}

// ------------------------------------------------------------ corpus

function readCorpus(file) {
  // ====\nname\n====\ninput\n----\nexpected tree (tree-sitter's format)
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const cases = [];
  let i = 0;
  while (i < lines.length) {
    if (!/^={3,}$/.test(lines[i])) { i++; continue; }
    const name = lines[i + 1].trim();
    i += 3;
    const input = [];
    while (i < lines.length && !/^-{3,}$/.test(lines[i])) input.push(lines[i++]);
    i++;
    const expected = [];
    while (i < lines.length && !/^={3,}$/.test(lines[i])) expected.push(lines[i++]);
    cases.push({ name, input: input.join('\n').trim(), expected: expected.join('\n').trim() });
  }
  return cases;
}

const normalize = (s) => s.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();

const corpusDir = path.join(ROOT, 'test', 'corpus');
for (const file of fs.readdirSync(corpusDir).filter((f) => f.endsWith('.txt')).sort()) {
  const cases = readCorpus(path.join(corpusDir, file));
  test(`corpus ${file} has cases`, () => assert.ok(cases.length > 0));
  for (const c of cases) {
    test(`corpus ${file}: ${c.name}`, () => {
      const tree = toTree(parse(grammar, c.input));
      assert.equal(normalize(sexp(tree)), normalize(c.expected));
    });
  }
}

// ------------------------------------------------------------ queries

const QUERIES = [
  path.join(ROOT, 'queries', 'highlights.scm'),
  path.join(ROOT, '..', 'nvim', 'queries', 'dash', 'highlights.scm'),
  path.join(ROOT, '..', 'helix', 'queries', 'dash', 'highlights.scm'),
];
for (const file of QUERIES) {
  if (!fs.existsSync(file)) continue;
  test(`query ${path.relative(REPO, file)} names real nodes and fields`, () => {
    const { errors } = checkQuery(grammar, fs.readFileSync(file, 'utf8'));
    assert.deepEqual(errors, []);
  });
}

test('the queries cover every keyword', () => {
  const src = fs.readFileSync(QUERIES[0], 'utf8');
  for (const t of grammar.terminals.filter((x) => x.keyword && !x.named)) {
    const inHttpMethod = ['get', 'post', 'put', 'patch', 'delete'].includes(t.literal);
    const inBoolean = ['true', 'false'].includes(t.literal);
    if (inHttpMethod || inBoolean) continue; // (http_method) and (boolean)
    assert.ok(src.includes(`"${t.literal}"`), t.literal);
  }
});

// ------------------------------------------------------------ editor copies

const { topLevelPatterns } = require('./harness/queries');
const stripCaptures = (p) => p.replace(/@[A-Za-z_][\w.]*(?=[\s)\]]|$)/g, '@');

test('Neovim has the same highlight patterns in reverse order', () => {
  const canonical = topLevelPatterns(fs.readFileSync(QUERIES[0], 'utf8'));
  const nvim = topLevelPatterns(fs.readFileSync(QUERIES[1], 'utf8'));
  assert.deepEqual(nvim, [...canonical].reverse());
});

test('Helix has the same highlight patterns, in the same order', () => {
  const canonical = topLevelPatterns(fs.readFileSync(QUERIES[0], 'utf8')).map(stripCaptures);
  const helix = topLevelPatterns(fs.readFileSync(QUERIES[2], 'utf8')).map(stripCaptures);
  assert.deepEqual(helix, canonical);
});

test('Helix indent query names real nodes', () => {
  const file = path.join(ROOT, '..', 'helix', 'queries', 'dash', 'indents.scm');
  const { errors } = checkQuery(grammar, fs.readFileSync(file, 'utf8'));
  assert.deepEqual(errors, []);
});

test('helix/languages.toml names the grammar, the server and the comment token', () => {
  const toml = fs.readFileSync(path.join(ROOT, '..', 'helix', 'languages.toml'), 'utf8');
  for (const re of [/^name = "dash"$/m, /^file-types = \["dash"\]$/m, /^comment-token = "\/\/"$/m,
    /^command = "dashc"$/m, /^args = \["lsp"\]$/m, /^\[\[grammar\]\]$/m, /^indent = \{ tab-width = 2, unit = " {2}" \}$/m]) {
    assert.match(toml, re);
  }
});
