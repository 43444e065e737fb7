// Tokenizes .stack files with the TextMate grammar, through the engine VS
// Code itself uses (vscode-textmate + vscode-oniguruma), and prints one JSON
// array: for each file, for each line, its tokens with their scopes.
//
// usage: node tokenize.js NODE_MODULES_DIR GRAMMAR FILE...
'use strict';
const path = require('path');
const fs = require('fs');
const [modules, grammarPath, ...files] = process.argv.slice(2);
const vsctm = require(path.join(modules, 'vscode-textmate'));
const oniguruma = require(path.join(modules, 'vscode-oniguruma'));

const wasm = fs.readFileSync(path.join(modules, 'vscode-oniguruma', 'release', 'onig.wasm')).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));

const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async (scopeName) =>
    scopeName === 'source.stack'
      ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
      : null,
});

registry.loadGrammar('source.stack').then((grammar) => {
  const out = files.map((file) => {
    let stack = vsctm.INITIAL;
    return fs.readFileSync(file, 'utf8').split('\n').map((line) => {
      const r = grammar.tokenizeLine(line, stack);
      stack = r.ruleStack;
      return r.tokens.map((t) => ({
        text: line.substring(t.startIndex, t.endIndex),
        scopes: t.scopes.slice(1),
      }));
    });
  });
  process.stdout.write(JSON.stringify(out));
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
