#!/usr/bin/env bash
# The editor screenshot (tests/editor_screenshot.rs) runs Neovim's built-in
# LSP client against stackc lsp inside tmux, and photographs the terminal
# with Chromium (through playwright-core when 35-browser.sh installed it).
# 62-neovim.sh and 35-browser.sh may install the same packages; this keeps
# the screenshot's own needs in one place.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh
apt_install tmux:tmux nvim:neovim chromium:chromium node:nodejs
