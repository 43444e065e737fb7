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
