#!/usr/bin/env bash
# Tools of `stackc bundle`'s tests: the real daemons' own config checks
# (haproxy -c, nginx -t, keepalived -t, mariadbd --help --verbose,
# named-checkzone), iproute2 for the network namespaces those checks run in,
# curl (the keepalived checks name it), openssl (test certificates),
# systemd-analyze and unshare (the application units), and
# ansible-core (from PyPI, in a virtualenv under target/tools/ansible)
# for `ansible-playbook --syntax-check`.
#
# Installing the daemons must not start them (lib.sh: no_service_starts).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.d/lib.sh

no_service_starts

apt_install haproxy:haproxy nginx:nginx keepalived:keepalived \
  mariadbd:mariadb-server named-checkzone:bind9-utils ip:iproute2 \
  curl:curl openssl:openssl systemd-analyze:systemd unshare:util-linux

pip_venv target/tools/ansible 'ansible-playbook --version' 'ansible-core>=2.15,<2.20'
