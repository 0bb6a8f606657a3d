#!/bin/sh
# ctest asio.dns_stall: the stalled-DNS test case of smtperr_asio_tests (skipped in a plain
# run), in a private mount namespace whose /etc/resolv.conf names 127.0.0.1 alone, where the
# test's UDP socket swallows every query, and whose /etc/nsswitch.conf asks files and DNS
# alone (no mdns or systemd-resolved module to take the name elsewhere): the lookup stalls
# as behind a dead DNS server and never leaves the machine. Needs root (unshare, mount,
# port 53), as CI has.
#
#   tests/unit/asio/dns_stall.sh build/tests/smtperr_asio_tests
set -eu
conf=$(mktemp)
nss=$(mktemp)
trap 'rm -f "$conf" "$nss"' EXIT
printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n' >"$conf"
printf 'hosts: files dns\n' >"$nss"
# The tests' main() fails a run whose filter selects no case.
unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/nsswitch.conf &&
  exec "$3" --no-skip --test-case="$4"' \
  sh "$conf" "$nss" "$1" 'a stalled DNS lookup*'
