#!/usr/bin/env bash
# Tools for the interactive page's test (`stackc render --to html`,
# tests/render_html.rs + tests/html/drive.mjs):
# - Debian's Chromium and Node.js/npm (as for mermaid-cli);
# - playwright-core@1 (the driver only: it never downloads a browser; the
#   test launches /usr/bin/chromium) into target/tools/playwright, which git
#   ignores.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh

apt_install chromium:chromium node:nodejs npm:npm

PW_DIR=target/tools/playwright
if [[ ! -e "$PW_DIR/node_modules/playwright-core/package.json" ]]; then
  if command -v npm >/dev/null 2>&1; then
    echo "setup: installing playwright-core@1 into $PW_DIR"
    mkdir -p "$PW_DIR"
    [[ -e "$PW_DIR/package.json" ]] || echo '{"name":"stackc-tools-playwright","private":true}' >"$PW_DIR/package.json"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
      npm install --prefix "$PW_DIR" --no-audit --no-fund --loglevel=error \
      playwright-core@1 >/dev/null
  else
    echo "setup: npm is missing; the interactive page's browser test will skip"
  fi
fi
