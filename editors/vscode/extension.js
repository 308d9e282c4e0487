// VS Code client for the Dash language server (`dashc lsp`, LSP over stdio).
// Plain JavaScript so that the extension needs no build step.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let output;

function serverCommand() {
  const config = vscode.workspace.getConfiguration('dash');
  const command = (config.get('server.path') || 'dashc').trim() || 'dashc';
  const extra = config.get('server.extraArgs') || [];
  return { command, args: ['lsp', ...extra] };
}

async function start(context) {
  const { command, args } = serverCommand();
  const executable = { command, args, transport: TransportKind.stdio };
  /** @type {import('vscode-languageclient/node').ServerOptions} */
  const serverOptions = { run: executable, debug: executable };
  /** @type {import('vscode-languageclient').LanguageClientOptions} */
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'dash' },
      { scheme: 'untitled', language: 'dash' },
    ],
    synchronize: {
      // names are global across the .dash files of a directory, and
      // dash.yaml holds per-project settings
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.dash,dash.yaml}'),
    },
    outputChannel: output,
  };
  client = new LanguageClient('dash', 'Dash Language Server', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    const message = err && err.message ? err.message : String(err);
    const choice = await vscode.window.showErrorMessage(
      `Dash: could not start \`${command} ${args.join(' ')}\` (${message}). ` +
        'Install dashc with `cargo install --path .` from the Dash repository, or set `dash.server.path`.',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'dash.server.path');
    }
    client = undefined;
  }
}

async function stop() {
  if (!client) return;
  const c = client;
  client = undefined;
  try {
    await c.stop();
  } catch (_) {
    // the server may already be gone
  }
}

async function restart(context) {
  await stop();
  await start(context);
}

async function activate(context) {
  output = vscode.window.createOutputChannel('Dash Language Server');
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand('dash.restartServer', () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dash.server')) restart(context);
    }),
  );
  await start(context);
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
