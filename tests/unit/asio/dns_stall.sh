#!/bin/sh
# ctest asio.dns_stall: the stalled-DNS test case of smtperr_asio_tests (skipped in a plain
# run), in a private mount namespace whose /etc/resolv.conf names 127.0.0.1 alone, where the
# test's UDP socket swallows every query: the lookup stalls as behind a dead DNS server and
# never leaves the machine. Needs root (unshare, mount, port 53), as CI has.
#
#   tests/unit/asio/dns_stall.sh build/tests/smtperr_asio_tests
set -eu
conf=$(mktemp)
out=$(mktemp)
trap 'rm -f "$conf" "$out"' EXIT
printf 'nameserver 127.0.0.1\noptions timeout:3 attempts:1\n' >"$conf"
rc=0
unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf && exec "$2" --no-skip --test-case="$3"' \
  sh "$conf" "$1" 'a stalled DNS lookup*' >"$out" 2>&1 || rc=$?
cat "$out"
# A filter that matched nothing would pass: exactly one test case must have run.
grep -Eq 'test cases: +1 \| +1 passed' "$out" || rc=1
exit "$rc"
