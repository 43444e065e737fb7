// Starts the language server exactly as the built extension would (the
// command of out/server.js) and talks to it with vscode-jsonrpc, the
// protocol library vscode-languageclient uses: initialize, open a file,
// wait for its diagnostics, ask for hover at a position, shut down. Prints
// one JSON object. Used by tests/editor_vscode.rs.
//
// usage: node handshake.js BUILD_DIR FILE.stack LINE CHARACTER
'use strict';
const path = require('path');
const fs = require('fs');
const cp = require('child_process');
const [buildDir, file, line, character] = process.argv.slice(2);
const rpc = require(path.join(buildDir, 'node_modules', 'vscode-jsonrpc', 'node'));
const { serverCommand } = require(path.join(buildDir, 'out', 'server.js'));

const { command, args } = serverCommand(undefined);
const child = cp.spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
const timer = setTimeout(() => {
  process.stderr.write('no answer within 20 s\n');
  child.kill('SIGKILL');
  process.exit(1);
}, 20000);
const conn = rpc.createMessageConnection(
  new rpc.StreamMessageReader(child.stdout),
  new rpc.StreamMessageWriter(child.stdin),
);
const uri = 'file://' + path.resolve(file);
const diagnostics = new Promise((resolve) => {
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    if (p.uri === uri && p.diagnostics.length > 0) {
      resolve(p.diagnostics);
    }
  });
});
conn.listen();

(async () => {
  const init = await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
  });
  conn.sendNotification('initialized', {});
  conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'stack', version: 1, text: fs.readFileSync(file, 'utf8') },
  });
  const found = await diagnostics;
  const hover = await conn.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: Number(line), character: Number(character) },
  });
  await conn.sendRequest('shutdown');
  conn.sendNotification('exit');
  const status = await new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  clearTimeout(timer);
  process.stdout.write(
    JSON.stringify({
      command: [command, ...args],
      server: init.serverInfo,
      capabilities: Object.keys(init.capabilities).sort(),
      diagnostics: found.map((d) => ({
        source: d.source,
        code: d.code,
        line: d.range.start.line,
        message: d.message,
      })),
      hover: hover && hover.contents,
      status,
    }),
  );
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  child.kill('SIGKILL');
  process.exit(1);
});
