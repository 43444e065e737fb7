#!/usr/bin/env bash
# Daemons of the roles postgres, redis and memcached, which their bundle
# tests start for real (tests/daemons.rs, tests/support/daemons.rs):
# PostgreSQL 15 (Debian `postgresql-15`: its binaries are in
# /usr/lib/postgresql/15/bin, not on PATH; psql and pg_basebackup come with
# `postgresql-client-15`), Redis 7 (`redis-server`, and `redis-tools` for
# redis-cli), memcached (`memcached`, with Debian's wrapper that reads
# /etc/memcached.conf), and util-linux's `setpriv` (the tests run
# PostgreSQL as the postgres user) and iproute2 for the namespaces.
#
# Installing the daemons must not start them (lib.sh: no_service_starts).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh

no_service_starts

apt_install /usr/lib/postgresql/15/bin/postgres:postgresql-15 \
  psql:postgresql-client-15 pg_basebackup:postgresql-client-15 \
  redis-server:redis-server redis-cli:redis-tools \
  memcached:memcached setpriv:util-linux ip:iproute2
