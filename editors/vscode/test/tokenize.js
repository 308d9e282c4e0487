// Tokenize Dash source with the extension's TextMate grammar, the way VS Code
// does (vscode-textmate + the Oniguruma WASM build), without VS Code.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const GRAMMAR = path.join(__dirname, '..', 'syntaxes', 'dash.tmLanguage.json');

let grammarPromise;

function loadGrammar() {
  if (!grammarPromise) {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    const onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }));
    const registry = new vsctm.Registry({
      onigLib,
      loadGrammar: async (scopeName) => {
        if (scopeName !== 'source.dash') return null;
        return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR);
      },
    });
    grammarPromise = registry.loadGrammar('source.dash');
  }
  return grammarPromise;
}

// Returns one array per line of { text, scopes, line, start }.
async function tokenize(source) {
  const grammar = await loadGrammar();
  let ruleStack = vsctm.INITIAL;
  const lines = source.split(/\r?\n/);
  const out = [];
  lines.forEach((lineText, i) => {
    const r = grammar.tokenizeLine(lineText, ruleStack);
    out.push(r.tokens.map((t) => ({
      text: lineText.substring(t.startIndex, t.endIndex),
      scopes: t.scopes,
      line: i + 1,
      start: t.startIndex,
    })));
    ruleStack = r.ruleStack;
  });
  return out;
}

module.exports = { tokenize, loadGrammar };

// `node test/tokenize.js FILE` prints every token with its scopes.
if (require.main === module) {
  tokenize(fs.readFileSync(process.argv[2], 'utf8')).then((lines) => {
    for (const line of lines) {
      for (const t of line) {
        if (t.text.trim() === '') continue;
        console.log(`${t.line}:${t.start}\t${JSON.stringify(t.text)}\t${t.scopes.slice(1).join(' ')}`);
      }
    }
  });
}
