# Shared helpers for scripts/setup.d/*.sh (sourced, not run).

# apt_install CMD:PACKAGE... : installs the packages whose command is missing.
apt_install() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}
    pkg=${pair##*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: missing ${missing[*]} (not root or no apt-get); the tests that need them will skip"
    return 0
  fi
  echo "setup: installing ${missing[*]}"
  if [[ ! -e /tmp/.stackc-apt-updated ]]; then
    apt-get update -qq -o DPkg::Lock::Timeout=300
    touch /tmp/.stackc-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
}

# no_service_starts: installing a daemon must not start it. When the machine
# has no policy-rc.d, one that forbids starting services is put in place
# until the calling script exits.
no_service_starts() {
  local policy=/usr/sbin/policy-rc.d
  if [[ $(id -u) -eq 0 && ! -e $policy ]]; then
    printf '#!/bin/sh\n# stackc setup: do not start services while installing\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    # shellcheck disable=SC2064
    trap "rm -f '$policy'" EXIT
  fi
}

# pip_venv DIR READY_TEST SPEC...: a virtualenv in DIR (git-ignored, under
# target/tools) with the PyPI packages SPEC..., unless READY_TEST (a command
# run with DIR's python first on PATH) already succeeds.
pip_venv() {
  local venv=$1 ready=$2
  shift 2
  if [[ -x $venv/bin/python3 ]] && PATH="$venv/bin:$PATH" bash -c "$ready" >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v python3 >/dev/null 2>&1; then
    echo "setup: no python3; the tests that need $* will skip"
    return 0
  fi
  echo "setup: installing $* into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
}
