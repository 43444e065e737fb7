#!/usr/bin/env bash
# The editor grammar test tokenizes the samples with vscode-textmate and
# vscode-oniguruma (npm), the engine VS Code uses. Installed project-local,
# under target/tools/textmate (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh
apt_install node:nodejs npm:npm
dir=target/tools/textmate
if [[ -d "$dir/node_modules/vscode-textmate" && -d "$dir/node_modules/vscode-oniguruma" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: npm is missing; the editor grammar test will skip"
  exit 0
fi
mkdir -p "$dir"
echo "setup: installing vscode-textmate and vscode-oniguruma into $dir"
npm install --silent --no-audit --no-fund --prefix "$dir" vscode-textmate@9.3.2 vscode-oniguruma@2.0.1 >/dev/null
