#!/bin/sh
# ctest asio.dns_stall: the stalled-DNS test case of smtperr_asio_tests (skipped in a plain
# run), in a private mount namespace whose /etc/resolv.conf names 127.0.0.1 alone, where the
# test's UDP socket swallows every query: the lookup stalls as behind a dead DNS server and
# never leaves the machine. Needs root (unshare, mount, port 53), as CI has.
#
#   tests/unit/asio/dns_stall.sh build/tests/smtperr_asio_tests
set -eu
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
printf 'nameserver 127.0.0.1\noptions timeout:3 attempts:1\n' >"$conf"
# The tests' main() fails a run whose filter selects no case.
unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf && exec "$2" --no-skip --test-case="$3"' \
  sh "$conf" "$1" 'a stalled DNS lookup*'
