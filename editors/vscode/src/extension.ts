// The stackc extension: the TextMate grammar colours `.stack` files (see
// package.json) and this client starts `stackc lsp` for them, over stdio,
// with vscode-languageclient.

import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { serverCommand } from './server';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

function createClient(): LanguageClient {
  const setting = vscode.workspace.getConfiguration('stackc').get<string>('path');
  const { command, args } = serverCommand(setting);
  const run = { command, args, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  output ??= vscode.window.createOutputChannel('stackc');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'stack' },
      { scheme: 'untitled', language: 'stack' },
    ],
    outputChannel: output,
  };
  // The id 'stackc' makes the client read the `stackc.trace.server` setting.
  return new LanguageClient('stackc', 'stackc', serverOptions, clientOptions);
}

async function start(): Promise<void> {
  client = createClient();
  try {
    await client.start();
  } catch (e) {
    const { command } = serverCommand(
      vscode.workspace.getConfiguration('stackc').get<string>('path'),
    );
    void vscode.window.showErrorMessage(
      `stackc: could not start \`${command} lsp\` (${String(e)}). ` +
        'Install stackc or set `stackc.path` to the program.',
    );
  }
}

async function stop(): Promise<void> {
  const old = client;
  client = undefined;
  if (old?.isRunning()) {
    await old.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('stackc.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('stackc.path')) {
        void restart();
      }
    }),
  );
  await start();
}

export function deactivate(): Thenable<void> | undefined {
  return stop();
}
