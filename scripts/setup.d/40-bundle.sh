#!/usr/bin/env bash
# Tools of `stackc bundle`'s tests: the real daemons' own config checks
# (haproxy -c, nginx -t, keepalived -t, mariadbd --help --verbose,
# named-checkzone), iproute2 for the network namespaces those checks run in,
# curl (the keepalived checks name it), openssl (test certificates),
# systemd-analyze and unshare (the application units), and
# ansible-core (from PyPI, in a virtualenv under target/tools/ansible)
# for `ansible-playbook --syntax-check`.
#
# Installing the daemons must not start them: when the machine has no
# policy-rc.d, one that forbids starting services is put in place for the
# install and removed after.
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

apt_install haproxy:haproxy nginx:nginx keepalived:keepalived \
  mariadbd:mariadb-server named-checkzone:bind9-utils ip:iproute2 \
  curl:curl openssl:openssl systemd-analyze:systemd unshare:util-linux

venv=target/tools/ansible
if [[ ! -x $venv/bin/ansible-playbook ]]; then
  if ! command -v python3 >/dev/null 2>&1; then
    echo "setup: no python3; the ansible syntax check will skip"
    exit 0
  fi
  echo "setup: installing ansible-core into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'ansible-core>=2.15,<2.20'
fi
