#!/usr/bin/env bash
# The book test builds book/ with a pinned mdBook (and stackc's own
# preprocessor). mdBook comes from crates.io, built with cargo.
set -euo pipefail
MDBOOK_VERSION=0.5.4
if command -v mdbook >/dev/null 2>&1 && mdbook --version | grep -q "v${MDBOOK_VERSION}$"; then
  exit 0
fi
echo "setup: installing mdbook ${MDBOOK_VERSION} (cargo install, a few minutes)"
cargo install mdbook --version "${MDBOOK_VERSION}" --locked --quiet
