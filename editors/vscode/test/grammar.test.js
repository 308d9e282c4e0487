// Tests of syntaxes/dash.tmLanguage.json, run with `npm test` (node's test
// runner; no VS Code needed). Every sample program of the repository must
// tokenize without an `invalid` scope, and each keyword, literal kind,
// comment, interpolation and `@json` attribute must get its scope.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { tokenize } = require('./tokenize');

const REPO = path.resolve(__dirname, '..', '..', '..');

function dashFiles(dir) {
  const abs = path.join(REPO, dir);
  if (!fs.existsSync(abs)) return [];
  const out = [];
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const p = path.join(abs, entry.name);
    if (entry.isDirectory()) out.push(...dashFiles(path.join(dir, entry.name)));
    else if (entry.name.endsWith('.dash')) out.push(p);
  }
  return out.sort();
}

// Programs that compile (or at least parse): no line may produce `invalid`.
const SAMPLES = [
  ...dashFiles('tests/check/ok'),
  ...dashFiles('tests/parse'),
  ...dashFiles('tests/fmt'),
  ...dashFiles('tests/run'),
  ...dashFiles('tests/run_fail'),
  ...dashFiles('tests/ir'),
  ...dashFiles('pipelines'),
];

test('the sample set includes tests/check/ok and tests/parse', () => {
  assert.ok(SAMPLES.filter((f) => f.includes(`${path.sep}check${path.sep}ok${path.sep}`)).length >= 10);
  assert.ok(SAMPLES.some((f) => f.includes(`${path.sep}parse${path.sep}`)));
});

for (const file of SAMPLES) {
  test(`no invalid scope: ${path.relative(REPO, file)}`, async () => {
    const lines = await tokenize(fs.readFileSync(file, 'utf8'));
    const bad = [];
    for (const line of lines) {
      for (const t of line) {
        if (t.scopes.some((s) => s.startsWith('invalid'))) {
          bad.push(`${t.line}:${t.start + 1} ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`);
        }
      }
    }
    assert.deepEqual(bad, []);
  });
}

test('every line of a sample stays on its line (strings and comments close)', async () => {
  for (const file of dashFiles('tests/check/ok')) {
    const lines = await tokenize(fs.readFileSync(file, 'utf8'));
    const last = lines[lines.length - 1];
    for (const t of last) {
      assert.deepEqual(t.scopes, ['source.dash'], `${file}: unterminated construct at the end`);
    }
  }
});

// --------------------------------------------------------------- scopes

// Find `text` (its `nth` occurrence as a whole token) in the tokens of `src`
// and return its scopes.
async function scopesOf(src, text, nth = 0) {
  const lines = await tokenize(src);
  const found = lines.flat().filter((t) => t.text === text);
  assert.ok(found.length > nth, `token ${JSON.stringify(text)} not found in ${JSON.stringify(src)}; tokens: ${JSON.stringify(lines.flat().map((t) => t.text))}`);
  return found[nth].scopes;
}

async function expectScope(src, text, scope, nth = 0) {
  const scopes = await scopesOf(src, text, nth);
  assert.ok(
    scopes.some((s) => s === scope || s.startsWith(`${scope}.`)),
    `${JSON.stringify(text)} in ${JSON.stringify(src)}: expected ${scope}, got ${scopes.join(' ')}`,
  );
  assert.ok(!scopes.some((s) => s.startsWith('invalid')), `${JSON.stringify(text)} is invalid: ${scopes.join(' ')}`);
  return scopes;
}

async function expectNoScope(src, text, scope, nth = 0) {
  const scopes = await scopesOf(src, text, nth);
  assert.ok(!scopes.some((s) => s === scope || s.startsWith(`${scope}.`)), `${JSON.stringify(text)}: did not expect ${scope} in ${scopes.join(' ')}`);
}

// Each keyword of LANGUAGE.md §2, in a line that uses it the usual way.
const KEYWORDS = [
  ['type', 'type Reading { station: string }', 'keyword.declaration.type.dash'],
  ['source', 'source readings: Reading from file { path: "a.jsonl" }', 'keyword.declaration.source.dash'],
  ['sink', 'sink metrics: Metric into postgres { table: "m" }', 'keyword.declaration.sink.dash'],
  ['transform', 'transform f(r: Reading) -> Metric { r }', 'keyword.declaration.transform.dash'],
  ['reactor', 'reactor enrich(o: Order) -> Enriched { return o }', 'keyword.declaration.reactor.dash'],
  ['pipeline', 'pipeline weather { readings -> to_metric -> metrics }', 'keyword.declaration.pipeline.dash'],
  ['test', 'test "hot" { f(1) == 2 }', 'keyword.declaration.test.dash'],
  ['let', '  let station = lower(r.station)', 'keyword.declaration.let.dash'],
  ['require', '  require station != "" else "empty"', 'keyword.control.require.dash'],
  ['else', '  require station != "" else "empty"', 'keyword.control.else.dash'],
  ['skip', '  skip if temp_f < -100.0', 'keyword.control.skip.dash'],
  ['fail', '  fail "unknown unit"', 'keyword.control.fail.dash'],
  ['if', '  let x = if a { 1 } else { 2 }', 'keyword.control.if.dash'],
  ['match', '  let w = match d { "N" => "north", _ => "other" }', 'keyword.control.match.dash'],
  ['step', '  step total = o.amount * fx.rate', 'keyword.declaration.step.dash'],
  ['return', '  return Enriched { id: o.id }', 'keyword.control.return.dash'],
  ['from', 'source s: R from stdin', 'keyword.other.from.dash'],
  ['into', 'sink s: R into stdout', 'keyword.other.into.dash'],
  ['as', '  step c = lookup customers { id: o.customer_id } as Customer', 'keyword.other.as.dash'],
  ['lookup', '  step c = lookup customers { id: o.customer_id } as Customer', 'keyword.other.lookup.dash'],
  ['http', '  step fx = http get "https://fx.example/v1" as Rate', 'keyword.other.http.dash'],
  ['true', '  let t = true', 'constant.language.boolean.true.dash'],
  ['false', '  let f = false', 'constant.language.boolean.false.dash'],
  ['null', '  let n: string? = null', 'constant.language.null.dash'],
  ['and', '  let b = x and y', 'keyword.operator.logical.and.dash'],
  ['or', '  let b = x or y', 'keyword.operator.logical.or.dash'],
  ['not', '  let b = not x', 'keyword.operator.logical.not.dash'],
  ['fails', '  f(1) fails "boom"', 'keyword.control.fails.dash'],
];

test('the keyword table covers every keyword of LANGUAGE.md §2', () => {
  // shared/LANGUAGE.md sits beside the repository in this project's set-up
  const specPath = path.join(REPO, '..', 'shared', 'LANGUAGE.md');
  const spec = fs.existsSync(specPath) ? fs.readFileSync(specPath, 'utf8') : '';
  const m = /Keywords: ([\s\S]*?)\. `get`/.exec(spec);
  const listed = KEYWORDS.map(([k]) => k).sort();
  const words = m
    ? m[1].split(/\s+/).filter(Boolean).sort()
    : 'type source sink transform reactor pipeline test let require else skip fail if match step return from into as lookup http true false null and or not fails'.split(' ').sort();
  assert.deepEqual(listed, words);
});

for (const [kw, src, scope] of KEYWORDS) {
  test(`keyword ${kw}`, async () => {
    await expectScope(src, kw, scope);
  });
}

test('keywords inside identifiers are not keywords', async () => {
  await expectScope('  let types = iffy + notable + android', 'types', 'variable.other.declaration.dash');
  await expectScope('  let types = iffy + notable + android', 'iffy', 'variable.other.readwrite.dash');
  await expectScope('  let types = iffy + notable + android', 'notable', 'variable.other.readwrite.dash');
  await expectScope('  let types = iffy + notable + android', 'android', 'variable.other.readwrite.dash');
});

test('HTTP methods are keywords only right after `http`', async () => {
  for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
    await expectScope(`  step r = http ${method} "https://x.example/" as R`, method, 'keyword.other.http-method.dash');
  }
  // elsewhere `get` is the json function and `post` a plain name
  await expectScope('  let v = get(raw, "a.b")', 'get', 'support.function.builtin.dash');
  await expectNoScope('  let v = get(raw, "a.b")', 'get', 'keyword.other.http-method.dash');
  await expectScope('  let post = delete + put', 'post', 'variable.other.declaration.dash');
  await expectScope('  let post = delete + put', 'delete', 'variable.other.readwrite.dash');
});

test('undo effects: http post inside a step option block', async () => {
  const src = '    undo: http post "https://inv.example/release" { hold: reserve.id }';
  await expectScope(src, 'undo', 'variable.other.property.dash');
  await expectScope(src, 'http', 'keyword.other.http.dash');
  await expectScope(src, 'post', 'keyword.other.http-method.dash');
  await expectScope(src, 'hold', 'variable.other.property.dash');
});

test('built-in types', async () => {
  for (const t of ['bool', 'int', 'float', 'string', 'timestamp', 'duration', 'json']) {
    await expectScope(`  field: ${t}?`, t, 'support.type.primitive.dash');
  }
  await expectScope('  tags: [string]?', 'string', 'support.type.primitive.dash');
  await expectScope('  note: string?', '?', 'keyword.operator.optional.dash');
});

test('record type names are capitalized identifiers', async () => {
  await expectScope('type StationReport {', 'StationReport', 'entity.name.type.declaration.dash');
  await expectScope('  location: Location?', 'Location', 'entity.name.type.dash');
  await expectScope('transform f(r: Reading) -> Metric {', 'Reading', 'entity.name.type.dash');
  await expectScope('transform f(r: Reading) -> Metric {', 'Metric', 'entity.name.type.dash');
  await expectScope('  Metric { station: s }', 'Metric', 'entity.name.type.dash');
  await expectScope('  step c = lookup customers { id: 1 } as Customer', 'Customer', 'entity.name.type.dash');
});

test('declaration names, parameters and stages', async () => {
  await expectScope('transform to_metric(r: Reading) -> Metric {', 'to_metric', 'entity.name.function.transform.dash');
  await expectScope('transform to_metric(r: Reading) -> Metric {', 'r', 'variable.parameter.dash');
  await expectScope('reactor enrich(o: Order) -> Enriched {', 'enrich', 'entity.name.function.reactor.dash');
  await expectScope('source readings: Reading from file {', 'readings', 'variable.other.constant.source.dash');
  await expectScope('source readings: Reading from file {', 'file', 'support.constant.kind.dash');
  await expectScope('sink metrics: Metric into postgres {', 'postgres', 'support.constant.kind.dash');
  await expectScope('source api: Reading from http {', 'http', 'support.constant.kind.dash');
  await expectScope('pipeline weather {', 'weather', 'entity.name.section.pipeline.dash');
  await expectScope('  readings -> to_metric -> [metrics, log]', '->', 'keyword.operator.arrow.dash');
  await expectScope('  step fx = http get "u" as Rate', 'fx', 'variable.other.declaration.step.dash');
});

test('built-in function names', async () => {
  const doc = fs.readFileSync(path.join(REPO, 'docs', 'functions.md'), 'utf8');
  const names = [...doc.matchAll(/^## `([a-z_0-9]+)`/gm)].map((m) => m[1]);
  assert.ok(names.length >= 30, 'docs/functions.md lists the built-ins');
  for (const name of names) {
    await expectScope(`  let x = ${name}(a, b)`, name, 'support.function.builtin.dash');
  }
  await expectScope('  let x = to_metric(r)', 'to_metric', 'entity.name.function.call.dash');
  // a variable that happens to share a built-in's name is not a call
  await expectScope('  let y = len + 1', 'len', 'variable.other.readwrite.dash');
});

test('field access and options', async () => {
  const src = '  let lat = r.location?.lat ?? 0.0';
  await expectScope(src, '.', 'punctuation.accessor.dash');
  await expectScope(src, 'location', 'variable.other.member.dash');
  await expectScope(src, '?.', 'punctuation.accessor.dash');
  await expectScope(src, 'lat', 'variable.other.member.dash', 1);
  await expectScope('  linger: 200ms', 'linger', 'variable.other.property.dash');
  await expectScope('  null: "NA"', 'null', 'variable.other.property.dash');
  await expectScope('  format: jsonl', 'jsonl', 'support.constant.format.dash');
  await expectScope('  format: json', 'json', 'support.constant.format.dash');
});

test('rollups', async () => {
  const src = [
    'sink m: Metric into postgres {',
    '  rollup metrics_hourly every 1h {',
    '    avg_temp_f: avg(temp_f)',
    '    readings: count()',
    '  }',
    '  table: "m"',
    '}',
  ].join('\n');
  await expectScope(src, 'rollup', 'keyword.other.rollup.dash');
  await expectScope(src, 'every', 'keyword.other.every.dash');
  await expectScope(src, 'avg', 'support.function.aggregate.dash');
  await expectScope(src, 'count', 'support.function.aggregate.dash');
  await expectScope(src, '1', 'constant.numeric.duration.dash');
  await expectScope(src, 'table', 'variable.other.property.dash');
});

test('numbers', async () => {
  await expectScope('  let a = 42', '42', 'constant.numeric.integer.dash');
  await expectScope('  let a = 1_000_000', '1_000_000', 'constant.numeric.integer.dash');
  for (const f of ['3.5', '1e-3', '2.5e3', '1E+10', '0.000_1', '1_000.5']) {
    await expectScope(`  let a = ${f}`, f, 'constant.numeric.float.dash');
  }
  await expectScope('  let a = -1.0', '-', 'keyword.operator.arithmetic.dash');
});

test('durations', async () => {
  for (const [d, n, unit] of [['250ms', '250', 'ms'], ['30s', '30', 's'], ['5m', '5', 'm'], ['1h', '1', 'h'], ['7d', '7', 'd'], ['10us', '10', 'us'], ['1_000ms', '1_000', 'ms']]) {
    const src = `  linger: ${d}`;
    await expectScope(src, n, 'constant.numeric.duration.dash');
    await expectScope(src, unit, 'keyword.other.unit.duration.dash');
  }
});

test('timestamps', async () => {
  for (const ts of ['@2026-01-01T00:00:00Z', '@2026-06-30T12:30:00.250+02:00', '@2024-03-01T08:15:00-07:00', '@2026-01-01T00:00:00.123456Z']) {
    const lines = await tokenize(`  ts: ${ts},`);
    const toks = lines[0].filter((t) => t.scopes.includes('constant.other.timestamp.dash'));
    assert.equal(toks.map((t) => t.text).join(''), ts);
  }
  const bad = await tokenize('  a == @yesterday');
  assert.ok(bad[0].some((t) => t.scopes.includes('invalid.illegal.timestamp.dash')));
});

test('strings, escapes and interpolation', async () => {
  const src = '  "tab\\t quote\\" back\\\\ nl\\n cr\\r nul\\0 dollar\\$ snow \\u{2744} at ${f(r.ts, "x")} ok"';
  for (const esc of ['\\t', '\\"', '\\\\', '\\n', '\\r', '\\0', '\\$']) {
    await expectScope(src, esc, 'constant.character.escape.dash');
  }
  await expectScope(src, '\\u{2744}', 'constant.character.escape.unicode.dash');
  const open = await expectScope(src, '${', 'punctuation.section.interpolation.begin.dash');
  assert.ok(open.includes('string.quoted.double.dash'));
  // expressions inside `${…}` are highlighted as code, nested strings too
  const call = await expectScope(src, 'f', 'entity.name.function.call.dash');
  assert.ok(call.includes('meta.embedded.line.dash'));
  await expectScope(src, 'ts', 'variable.other.member.dash');
  const inner = await expectScope(src, 'x', 'string.quoted.double.dash');
  assert.equal(inner.filter((s) => s === 'string.quoted.double.dash').length, 2, 'nested string');
  await expectScope(src, '}', 'punctuation.section.interpolation.end.dash');
  await expectScope(src, ' ok', 'string.quoted.double.dash');
  const bad = await tokenize('  "bad \\q escape"');
  assert.ok(bad[0].some((t) => t.text === '\\q' && t.scopes.includes('invalid.illegal.escape.dash')));
});

test('braces inside an interpolation do not close it', async () => {
  const src = '  "${if ok { "a" } else { Rate { rate: 1.0 }.rate }} tail"';
  await expectScope(src, 'if', 'keyword.control.if.dash');
  await expectScope(src, 'Rate', 'entity.name.type.dash');
  await expectScope(src, ' tail', 'string.quoted.double.dash');
  const lines = await tokenize(src);
  const tail = lines[0].find((t) => t.text === ' tail');
  assert.ok(!tail.scopes.includes('meta.interpolation.dash'));
});

test('an unterminated string ends at the end of its line', async () => {
  const lines = await tokenize('  let s = "open\n  let t = 1');
  const t = lines[1].find((tok) => tok.text === 'let');
  assert.ok(!t.scopes.includes('string.quoted.double.dash'));
});

test('@json attributes', async () => {
  const src = '  name: string @json("Station Name")';
  await expectScope(src, '@', 'punctuation.definition.annotation.dash');
  const json = await expectScope(src, 'json', 'storage.type.annotation.dash');
  assert.ok(json.includes('meta.attribute.json.dash'));
  const key = await expectScope(src, 'Station Name', 'string.quoted.double.dash');
  assert.ok(key.includes('meta.attribute.json.dash'));
  await expectScope(src, 'string', 'support.type.primitive.dash');
});

test('operators', async () => {
  const cases = [
    ['??', 'keyword.operator.null-coalescing.dash'],
    ['->', 'keyword.operator.arrow.dash'],
    ['=>', 'keyword.operator.arrow.fat.dash'],
    ['==', 'keyword.operator.comparison.dash'],
    ['!=', 'keyword.operator.comparison.dash'],
    ['<=', 'keyword.operator.comparison.dash'],
    ['>=', 'keyword.operator.comparison.dash'],
    ['<', 'keyword.operator.comparison.dash'],
    ['>', 'keyword.operator.comparison.dash'],
    ['+', 'keyword.operator.arithmetic.dash'],
    ['-', 'keyword.operator.arithmetic.dash'],
    ['*', 'keyword.operator.arithmetic.dash'],
    ['/', 'keyword.operator.arithmetic.dash'],
    ['%', 'keyword.operator.arithmetic.dash'],
  ];
  for (const [op, scope] of cases) {
    await expectScope(`  let v = a ${op} b`, op, scope);
  }
  await expectScope('  let v = a?.b', '?.', 'punctuation.accessor.dash');
  await expectScope('    0 | 1 => "clear",', '|', 'keyword.operator.pattern.dash');
  await expectScope('    _ => "other",', '_', 'variable.language.wildcard.dash');
  await expectScope('  let v = a = b', '=', 'keyword.operator.assignment.dash', 0);
});

test('line comments', async () => {
  const src = '  let x = 1 // trailing ${not} "interpolated"';
  const c = await expectScope(src, '//', 'punctuation.definition.comment.dash');
  assert.ok(c.includes('comment.line.double-slash.dash'));
  await expectScope(src, ' trailing ${not} "interpolated"', 'comment.line.double-slash.dash');
  await expectScope(src, 'x', 'variable.other.declaration.dash');
});

test('block comments nest and span lines', async () => {
  const src = 'let a = /* outer /* inner */ still comment\n more */ b';
  const lines = await tokenize(src);
  const still = lines[0].find((t) => t.text.includes('still comment'));
  assert.ok(still.scopes.includes('comment.block.dash'), still.scopes.join(' '));
  const more = lines[1].find((t) => t.text.includes('more'));
  assert.ok(more.scopes.includes('comment.block.dash'));
  const b = lines[1].find((t) => t.text === 'b');
  assert.deepEqual(b.scopes, ['source.dash', 'variable.other.readwrite.dash']);
  const inner = lines[0].filter((t) => t.text === '/*');
  assert.equal(inner.length, 2);
  assert.equal(inner[1].scopes.filter((s) => s === 'comment.block.dash').length, 2, 'inner comment is nested');
});

test('stray characters are marked invalid', async () => {
  const lines = await tokenize('  let x = 1; # nope');
  const bad = lines[0].filter((t) => t.scopes.some((s) => s.startsWith('invalid'))).map((t) => t.text);
  assert.deepEqual(bad, [';', '#']);
});
