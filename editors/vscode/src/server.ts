// How the extension starts the language server: `<stackc.path> lsp`, over
// stdio. Kept apart from extension.ts (no `vscode` import) so a test can
// load the compiled file with plain node and check the command.

/** The program and arguments VS Code runs for the server. */
export interface ServerCommand {
  command: string;
  args: string[];
}

/** `stackc lsp` by default; `path` is the `stackc.path` setting. */
export function serverCommand(path: string | undefined): ServerCommand {
  const program = path && path.trim() !== '' ? path.trim() : 'stackc';
  return { command: program, args: ['lsp'] };
}
