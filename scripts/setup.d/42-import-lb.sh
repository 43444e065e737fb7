#!/usr/bin/env bash
# The import readers' hand-written load balancers (tests/import_readers_lb.rs,
# tests/import/lb-debian/) pass the real haproxy -c and keepalived -t; their
# keepalived track_script runs `killall -0 haproxy`, and keepalived -t checks
# that the script's program exists: killall comes from Debian's psmisc.
# haproxy, keepalived, openssl and iproute2 come from 40-bundle.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh
apt_install killall:psmisc
