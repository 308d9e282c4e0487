// `npm run build`: the extension is plain JavaScript, so "building" only
// checks that the manifest, the grammar and the language configuration are
// valid JSON and that extension.js compiles.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const root = path.join(__dirname, '..');
for (const file of ['package.json', 'language-configuration.json', 'syntaxes/dash.tmLanguage.json']) {
  JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
  console.log(`ok  ${file}`);
}
new vm.Script(fs.readFileSync(path.join(root, 'extension.js'), 'utf8'), { filename: 'extension.js' });
require.resolve('vscode-languageclient/node', { paths: [root] });
console.log('ok  extension.js');
