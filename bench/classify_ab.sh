#!/usr/bin/env bash
# smtperr — SMTP error mapping for mail clients.
# Distributed under the Boost Software License, Version 1.0.
#
# Compares two builds of smtperr_bench_classify the way README's Performance table is
# measured: RUNS rounds, each running both binaries once for 0.2 s per benchmark
# (--benchmark_min_time=0.2), the order swapped every round (A B, B A, ...) so that neither
# side always runs second; then, per benchmark, the median and the best of each side and
# the candidate's ratio to the baseline for both. Rates are Google Benchmark's, from CPU
# time: items per second as millions/s, bytes per second as GiB/s (2^30 octets).
#
#   bench/classify_ab.sh BASELINE_BINARY CANDIDATE_BINARY [RUNS]      (RUNS: 10)
#
# Build the baseline from the old commit with the same bench/ sources (a worktree of the
# old commit with this bench/ copied in), so that both run the same benchmarks on the same
# input. Set BENCHMARK_FILTER to a regex to run only some benchmarks. Other load on the
# machine (fuzzers, builds) shifts both sides alike only roughly: stop it for figures that
# are to be published. Needs python3 (scripts/setup.sh installs it).
set -euo pipefail
shopt -s inherit_errexit

if (($# < 2 || $# > 3)); then
  echo "usage: $0 BASELINE_BINARY CANDIDATE_BINARY [RUNS]" >&2
  exit 2
fi
baseline=$1
candidate=$2
runs=${3:-10}
for b in "$baseline" "$candidate"; do
  [[ -x $b ]] || { echo "$0: $b is not an executable" >&2; exit 2; }
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "$0: RUNS must be a positive number" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(--benchmark_min_time=0.2 --benchmark_format=json)
if [[ -n ${BENCHMARK_FILTER:-} ]]; then
  args+=("--benchmark_filter=$BENCHMARK_FILTER")
fi

run() {  # side round
  local bin=$baseline
  [[ $1 == candidate ]] && bin=$candidate
  "$bin" "${args[@]}" >"$tmp/$1.$2.json" 2>"$tmp/$1.$2.err" ||
    { echo "$0: $bin failed:" >&2; cat "$tmp/$1.$2.err" >&2; exit 1; }
}

for i in $(seq "$runs"); do
  if ((i % 2)); then
    run baseline "$i"
    run candidate "$i"
  else
    run candidate "$i"
    run baseline "$i"
  fi
  echo "round $i of $runs done" >&2
done

python3 - "$tmp" "$runs" "$baseline" "$candidate" <<'EOF'
import json, statistics, sys

tmp, runs, baseline, candidate = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rates = {}  # (side, name) -> [rate]
units = {}  # name -> (label, divisor)
order = []
errors = set()  # (side, name) of runs that reported an error
for side in ("baseline", "candidate"):
    for i in range(1, runs + 1):
        with open(f"{tmp}/{side}.{i}.json") as f:
            for b in json.load(f)["benchmarks"]:
                if b.get("run_type", "iteration") != "iteration":
                    continue
                name = b["name"]
                if b.get("error_occurred"):
                    errors.add((side, name))
                    continue
                if "bytes_per_second" in b:
                    units[name] = ("GiB/s", 2**30)
                    rate = b["bytes_per_second"]
                elif "items_per_second" in b:
                    units[name] = ("million/s", 1e6)
                    rate = b["items_per_second"]
                else:
                    continue
                if name not in order:
                    order.append(name)
                rates.setdefault((side, name), []).append(rate)

print(f"baseline:  {baseline}\ncandidate: {candidate}")
print(f"{runs} alternating rounds of 0.2 s per benchmark; CPU time; median and best of the rounds")
print()
head = ("benchmark", "unit", "base median", "base best", "cand median", "cand best",
        "ratio median", "ratio best")
print("{:<34} {:>9} {:>11} {:>10} {:>11} {:>10} {:>12} {:>10}".format(*head))
for name in order:
    label, div = units[name]
    b = rates.get(("baseline", name), [])
    c = rates.get(("candidate", name), [])
    if not b or not c:
        print(f"{name:<34} only in the {'baseline' if b else 'candidate'}")
        continue
    bm, bb, cm, cb = statistics.median(b), max(b), statistics.median(c), max(c)
    print("{:<34} {:>9} {:>11.3f} {:>10.3f} {:>11.3f} {:>10.3f} {:>11.3f}x {:>9.3f}x".format(
        name, label, bm / div, bb / div, cm / div, cb / div, cm / bm, cb / bb))
for side, name in sorted(errors):
    print(f"{name}: the {side} reported an error (its runs are left out)")
sys.exit(1 if errors else 0)
EOF
