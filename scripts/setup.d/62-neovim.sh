#!/usr/bin/env bash
# tests/editor_nvim.rs runs Neovim's built-in LSP client (Debian `neovim`,
# 0.7+) headless against `stackc lsp`, with editors/nvim/stackc.lua.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh
apt_install nvim:neovim
