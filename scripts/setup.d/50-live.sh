#!/usr/bin/env bash
# Tools of the live proof (tests/live.rs): BIND's `named` serves the
# bundle's zone to the client namespace, and the test application
# (tests/live/app.py) talks to MariaDB with PyMySQL, installed from PyPI
# into a virtualenv under target/tools/live (git-ignored). The daemons
# themselves come from 40-bundle.sh.
#
# Installing bind9 must not start it: when the machine has no policy-rc.d,
# one that forbids starting services is put in place for the install.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh

policy=/usr/sbin/policy-rc.d
made_policy=0
if [[ $(id -u) -eq 0 && ! -e $policy ]]; then
  printf '#!/bin/sh\n# stackc setup: do not start services while installing\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if ((made_policy)); then rm -f "$policy"; fi; }
trap cleanup EXIT

apt_install named:bind9 python3:python3

venv=target/tools/live
if [[ ! -x $venv/bin/python3 ]] || ! "$venv/bin/python3" -c 'import pymysql' 2>/dev/null; then
  if ! command -v python3 >/dev/null 2>&1; then
    echo "setup: no python3; the live test will skip"
    exit 0
  fi
  echo "setup: installing PyMySQL into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'PyMySQL>=1.1,<2'
fi
