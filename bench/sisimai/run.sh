#!/usr/bin/env bash
# Side by side, in one run, on the same 661 texts (tests/data/sisimai): Sisimai->match
# (Debian libsisimai-perl) and smtperr's parse + classify. Builds smtperr in Release into
# build-bench/ (or $SMTPERR_BENCH_DIR), then prints both throughputs (CPU time, one core),
# the ratios and both agreements with the expected reasons through
# tests/data/sisimai/reason_map.tsv. smtperr runs twice: with the context a client has (the
# reply code, the command, the remote host: the unit test's replies) and on the text
# alone, the input Sisimai->match gets.
#
#   bench/sisimai/run.sh [SECONDS_PER_SIDE]     (default 5)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SMTPERR_BENCH_DIR:-$root/build-bench}
seconds=${1:-5}
tsv=$root/tests/data/sisimai/diagnostics.tsv
map=$root/tests/data/sisimai/reason_map.tsv

if ! perl -MSisimai -e 1 2>/dev/null; then
  echo "Sisimai is missing: apt-get install libsisimai-perl (scripts/setup.sh does)" >&2
  exit 1
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --parallel "${SMTPERR_JOBS:-2}" --target smtperr >/dev/null
cmake -S "$root/bench/sisimai" -B "$build/sisimai" -DCMAKE_BUILD_TYPE=Release \
  -Dsmtperr_DIR="$build" >/dev/null
cmake --build "$build/sisimai" >/dev/null

ours=$("$build/sisimai/smtperr_sisimai_side" "$tsv" "$map" "$seconds")
theirs=$(perl "$root/bench/sisimai/sisimai_side.pl" "$tsv" "$map" "$seconds")
echo "$ours"
echo "$theirs"

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
o_rate=$(field "$ours" texts_per_s)
t_rate=$(field "$theirs" texts_per_s)
o_agree=$(field "$ours" agree_mapped)
t_agree=$(field "$theirs" agree_mapped)
t_exact=$(field "$theirs" agree_exact)
total=$(field "$ours" total)
t_total=$(field "$theirs" total)
o_text_rate=$(field "$ours" text_only_texts_per_s)
o_text_agree=$(field "$ours" text_only_agree_mapped)
# Both agreements over the same texts: a text one side could not read counts against it.
if [[ -z $total || $total != "$t_total" ]]; then
  echo "run.sh: the two sides counted different totals (smtperr ${total:-?}, Sisimai ${t_total:-?})" >&2
  exit 1
fi
pct() { awk -v a="$1" -v t="$total" 'BEGIN { printf "%.1f", 100 * a / t }'; }

echo
printf '| classifier | texts/s (one core, CPU time) | agreement with Sisimai'"'"'s expected reasons (%s texts) |\n' "$total"
echo '|---|---|---|'
printf '| smtperr parse + classify, with context (code, command, host) | %s | %s/%s (%s%%) |\n' \
  "$o_rate" "$o_agree" "$total" "$(pct "$o_agree")"
printf '| smtperr parse + classify, text only (RCPT, no host, code from the text or 450/550) | %s | %s/%s (%s%%) |\n' \
  "$o_text_rate" "$o_text_agree" "$total" "$(pct "$o_text_agree")"
printf '| Sisimai %s `Sisimai->match` (text only) | %s | %s/%s (%s%%; same reason exactly: %s) |\n' \
  "$(field "$theirs" version)" "$t_rate" "$t_agree" "$total" "$(pct "$t_agree")" "$t_exact"
ratio() { awk -v a="$1" -v b="$t_rate" 'BEGIN { printf "%.0f", a / b }'; }
printf '\nthroughput ratio smtperr / Sisimai: %s× with context, %s× on the text only (target: 1000×)\n' \
  "$(ratio "$o_rate")" "$(ratio "$o_text_rate")"
