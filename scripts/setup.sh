#!/usr/bin/env bash
# Installs what building and testing smtperr needs on Debian 12, and nothing when it is all
# there already (no apt-get update, no root needed in that case). Safe to run again.
#
#   ./scripts/setup.sh            install what is missing
#   ./scripts/setup.sh --check    only report; exit 1 when something is missing
set -euo pipefail

# One package per line; later issues append here (postfix, dovecot, ...).
PACKAGES=(
  build-essential       # g++, make
  cmake
  pkg-config
  libboost1.81-dev      # Asio, Outcome, headers (Debian's default libboost-dev is 1.74)
  libboost-json1.81-dev
  libssl-dev
  libspdlog-dev
  doctest-dev
  libbenchmark-dev
  clang                 # libFuzzer builds (clang++ -fsanitize=fuzzer) ...
  libclang-rt-14-dev    # ... whose runtime is only a Recommends of clang
  libsisimai-perl       # bench/sisimai: Sisimai->match, the peer classifier benchmarked against
  python3               # bench/transport/run.sh: the delay proxy, the probes, the smtplib client
  time                  # ... and /usr/bin/time for each client's maximum RSS
  postfix               # integration tests: a real MTA on loopback (tests/integration/postfix)
  dovecot-core          # ... with Dovecot SASL for AUTH
  openssl               # ... whose test CA and certificates are made with the openssl CLI
)

check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

is_installed() {
  local status
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) || return 1
  [[ $status == ii* ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "setup: missing packages: ${missing[*]}"
if ((check_only)); then
  exit 1
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "setup: not root and no password-less sudo; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=()
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
if [[ " ${missing[*]} " == *" postfix "* || " ${missing[*]} " == *" dovecot-core "* ]]; then
  # No system-wide mail setup (no /etc/postfix/main.cf), and no daemons started by the
  # postinst scripts (dovecot-core would listen on 143/993): the tests run their own.
  echo 'postfix postfix/main_mailer_type select No configuration' | "${SUDO[@]}" debconf-set-selections
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
    trap '"${SUDO[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
  fi
fi
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null

still=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still+=("$pkg")
done
if ((${#still[@]} > 0)); then
  echo "setup: still missing after apt-get: ${still[*]}" >&2
  exit 1
fi
echo "setup: installed ${missing[*]}"
