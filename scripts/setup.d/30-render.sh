#!/usr/bin/env bash
# Tools for the diagrams' tests (`stackc render`):
# - Graphviz `dot`, to compare crossings and time with our own layout;
# - Debian's Chromium and Node.js/npm, for mermaid-cli;
# - @mermaid-js/mermaid-cli@11 (12.x needs Node >= 22.13), installed with
#   PUPPETEER_SKIP_DOWNLOAD=1 (no browser download: it drives
#   /usr/bin/chromium) into target/tools/mermaid, which git ignores;
# - DejaVu fonts, so that resvg renders the SVG's text in the PNG tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh

apt_install dot:graphviz chromium:chromium node:nodejs npm:npm

if [[ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    [[ -e /tmp/.stackc-apt-updated ]] || { apt-get update -qq -o DPkg::Lock::Timeout=300; touch /tmp/.stackc-apt-updated; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -o DPkg::Lock::Timeout=300 fonts-dejavu-core >/dev/null
  else
    echo "setup: missing fonts-dejavu-core; the PNG tests render text with another font"
  fi
fi

MERMAID_DIR=target/tools/mermaid
if [[ ! -x "$MERMAID_DIR/node_modules/.bin/mmdc" ]]; then
  if command -v npm >/dev/null 2>&1; then
    echo "setup: installing @mermaid-js/mermaid-cli@11 into $MERMAID_DIR"
    mkdir -p "$MERMAID_DIR"
    [[ -e "$MERMAID_DIR/package.json" ]] || echo '{"name":"stackc-tools","private":true}' >"$MERMAID_DIR/package.json"
    PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
      npm install --prefix "$MERMAID_DIR" --no-audit --no-fund --loglevel=error \
      @mermaid-js/mermaid-cli@11 >/dev/null
  else
    echo "setup: npm is missing; the Mermaid test will skip"
  fi
fi
