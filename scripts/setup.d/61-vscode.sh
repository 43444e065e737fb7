#!/usr/bin/env bash
# The VS Code extension test (tests/editor_vscode.rs) builds editors/vscode
# with `npm ci --offline`: this fills the npm cache it reads,
# target/tools/vscode/npm-cache (git-ignored), with exactly the packages of
# editors/vscode/package-lock.json (TypeScript, @vscode/vsce,
# vscode-languageclient, the type definitions). Install scripts are not run
# (keytar and vsce-sign only serve publishing, which the test does not do).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh
apt_install node:nodejs npm:npm
dir=target/tools/vscode
lock=editors/vscode/package-lock.json
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [[ -f $dir/lock.sha256 && $(cat "$dir/lock.sha256") == "$want" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: npm is missing; the VS Code extension test will skip"
  exit 0
fi
echo "setup: caching the VS Code extension's npm packages in $dir/npm-cache"
rm -rf "$dir/prime"
mkdir -p "$dir/prime"
cp editors/vscode/package.json "$lock" "$dir/prime/"
(cd "$dir/prime" && npm ci --ignore-scripts --silent --no-audit --no-fund --cache ../npm-cache >/dev/null)
rm -rf "$dir/prime"
echo "$want" >"$dir/lock.sha256"
