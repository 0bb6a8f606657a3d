#!/usr/bin/env bash
# The long fuzz run: every libFuzzer target for RUNS executions (default 10 million) with
# ASan+UBSan, on a copy of its seed corpus and saved regressions, with its dictionary (the
# CI stage runs the same targets for a few seconds each). Prints per target the executions,
# executions per second, the result and the coverage gained over the seed corpus.
#
#   bench/fuzz_long.sh [RUNS] [TARGET...]       e.g. bench/fuzz_long.sh 10000000 sasl sanitize
#
# Environment: SMTPERR_FUZZ_BUILD_DIR (default build-fuzz), SMTPERR_FUZZ_WORK (default
# $build/long-run: corpora grow there, logs and crash inputs stay there), SMTPERR_JOBS (build
# parallelism), SMTPERR_FUZZ_PROCS (default 1: processes per target, each running RUNS/PROCS
# executions on one shared corpus, which libFuzzer reloads every second; worth it for
# fuzz_session, whose executions mostly wait for sockets and timers), SMTPERR_FUZZ_TIMEOUT
# (default 10: seconds one input may take; more when the machine is busy with other work).
# Crash inputs belong in tests/fuzz/regressions/<target>/ once the bug is fixed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
runs=${1:-10000000}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(reply_parser classify matcher sasl sanitize outbox session cli_classify)
fi
build=${SMTPERR_FUZZ_BUILD_DIR:-build-fuzz}
work=${SMTPERR_FUZZ_WORK:-$build/long-run}
# fuzz_session: libFuzzer's entropic scheduler costs more than the session itself there.
declare -A flags=([session]=-entropic=0 [cli_classify]=-max_len=2048)

cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSMTPERR_BUILD_FUZZ=ON -DSMTPERR_BUILD_TESTS=OFF -DSMTPERR_BUILD_EXAMPLES=OFF \
  -DSMTPERR_INSTALL=OFF >/dev/null
cmake --build "$build" --parallel "${SMTPERR_JOBS:-2}" --target smtperr_fuzzers >/dev/null

printf '%-14s %12s %9s %-8s %s\n' target executions exec/s result "coverage (seeds -> end), new units"
rc=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp tests/fuzz/corpus/"$t"/* "$work/$t/corpus/"
  cp tests/fuzz/regressions/"$t"/* "$work/$t/corpus/" 2>/dev/null || true
  dict=tests/fuzz/smtp.dict
  [[ -f tests/fuzz/$t.dict ]] && dict=tests/fuzz/$t.dict
  procs=${SMTPERR_FUZZ_PROCS:-1}
  log=$work/$t/log
  result=ok
  pids=()
  rm -f "$log".[0-9]*
  for ((k = 1; k <= procs; ++k)); do
    # shellcheck disable=SC2086  # flags: zero or more words
    "$build/tests/fuzz/fuzz_$t" -runs=$((runs / procs)) ${flags[$t]:-} -timeout="${SMTPERR_FUZZ_TIMEOUT:-10}" \
      -print_final_stats=1 -dict="$dict" -artifact_prefix="$work/$t/artifacts/" \
      "$work/$t/corpus" >"$log.$k" 2>&1 &
    pids+=($!)
  done
  for ((k = 1; k <= procs; ++k)); do
    if ! wait "${pids[k - 1]}"; then
      # Ctrl-C (libFuzzer's "run interrupted") ends a run early without a finding.
      if grep -q 'run interrupted' "$log.$k"; then
        [[ $result == CRASH ]] || result=stopped
      else
        result=CRASH
      fi
      rc=1
    fi
  done
  cat "$log".[0-9]* >"$log"
  # Sums over the processes (executions, exec/s, new units); coverage from the first.
  stat() { sed -n "s/^stat::$1: *//p" "$log" | awk '{ s += $1 } END { print s + 0 }'; }
  cov() { grep -E "$1" "$log.1" | tail -n 1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1 ft \2/p'; }
  printf '%-14s %12s %9s %-8s %s -> %s, %s new\n' "$t" "$(stat number_of_executed_units)" \
    "$(stat average_exec_per_sec)" "$result" "$(cov INITED)" "$(cov '(DONE|NEW|REDUCE|pulse)')" \
    "$(stat new_units_added)"
  if [[ $result == CRASH ]]; then
    grep -E 'invariant failed|ERROR: |SUMMARY: ' "$log" | head -n 5 || true
    echo "  crash input(s) in $work/$t/artifacts/, log $log"
  fi
done
exit "$rc"
