// Runs test/corpus/*.txt through the legacy parser (./parse) and compares
// the trees, without field names (tree-sitter 0.13 has none).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const [parseBin, workDir] = process.argv.slice(2);
const dir = path.join(__dirname, '..', '..', 'test', 'corpus');
const norm = (s) => s.replace(/[a-z_]+: /g, '').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
let pass = 0;
let fail = 0;
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.txt')).sort()) {
  const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
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
    const file = path.join(workDir, 'case.dash');
    fs.writeFileSync(file, `${input.join('\n').trim()}\n`);
    let out;
    try {
      out = execFileSync(parseBin, [file], { env: { ...process.env, PRINT: '1' } }).toString();
    } catch (e) {
      out = e.stdout.toString();
    }
    const got = norm(out.split('\n')[0]);
    if (got === norm(expected.join('\n'))) {
      pass++;
    } else {
      fail++;
      console.log(`corpus ${f}: ${name}\n  got:      ${got}\n  expected: ${norm(expected.join('\n'))}`);
    }
  }
}
console.log(`corpus: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
