// A minimal LSP server for the Neovim test: answers `initialize`, records the
// rootUri and the opened documents in $DASH_FAKE_LSP_LOG, and exits on `exit`.
'use strict';
const fs = require('node:fs');

const log = process.env.DASH_FAKE_LSP_LOG;
const note = (obj) => log && fs.appendFileSync(log, `${JSON.stringify(obj)}\n`);
note({ started: process.argv.slice(2) });

let buffer = Buffer.alloc(0);
function send(msg) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
}
process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const sep = buffer.indexOf('\r\n\r\n');
    if (sep < 0) return;
    const m = /Content-Length: (\d+)/i.exec(buffer.slice(0, sep).toString());
    const len = Number(m[1]);
    if (buffer.length < sep + 4 + len) return;
    const msg = JSON.parse(buffer.slice(sep + 4, sep + 4 + len).toString());
    buffer = buffer.slice(sep + 4 + len);
    if (msg.method === 'initialize') {
      note({ initialize: { rootUri: msg.params.rootUri } });
      send({ id: msg.id, result: { capabilities: { textDocumentSync: 1, hoverProvider: true } } });
    } else if (msg.method === 'textDocument/didOpen') {
      note({ didOpen: { uri: msg.params.textDocument.uri, languageId: msg.params.textDocument.languageId } });
    } else if (msg.method === 'shutdown') {
      send({ id: msg.id, result: null });
    } else if (msg.method === 'exit') {
      process.exit(0);
    } else if (msg.id !== undefined && msg.method) {
      send({ id: msg.id, result: null });
    }
  }
});
