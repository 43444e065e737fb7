#!/usr/bin/env bash
# Tools of the live proof (tests/live.rs): BIND's `named` serves the
# bundle's zone to the client namespace, and the test application
# (tests/live/app.py) talks to MariaDB with PyMySQL, to PostgreSQL with
# pg8000 and to Redis with redis-py (all pure Python), installed from PyPI
# into a virtualenv under target/tools/live (git-ignored). The daemons
# themselves come from 40-bundle.sh and 45-daemons.sh.
#
# Installing bind9 must not start it (lib.sh: no_service_starts).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh

no_service_starts

apt_install named:bind9 python3:python3

pip_venv target/tools/live 'python3 -c "import pymysql, pg8000.native, redis"' \
  'PyMySQL>=1.1,<2' 'pg8000>=1.30,<2' 'redis>=5,<8'
