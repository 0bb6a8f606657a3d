#!/usr/bin/env bash
# smtperr — SMTP error mapping for mail clients.
# Distributed under the Boost Software License, Version 1.0.
#
# The transport benchmark: smtperr's async_submit_batch against Postfix's smtp-sink on
# 127.0.0.1, in the same run as Postfix's own smtp-source and Python's smtplib on the same
# sink, 1 kB messages (a short header and 1024 octets of body; smtp-source: -l 1024).
#
#   (a) messages per second over one loopback connection (median of RUNS runs);
#   (b) round trips per message over MESSAGES_RTT messages on one connection, with a
#       DELAY_MS round trip put on the path by delay_proxy.py (server-to-client chunks
#       delayed; netem needs the sch_netem kernel module, which containers often lack):
#       elapsed / RTT / messages, and client write groups (chunks the proxy read) per
#       message;
#   (c) peak memory per connection: the heap the sessions use (replaced operator new in
#       smtperr_send_bench, the caller's messages excluded) over CONNECTIONS connections,
#       divided by CONNECTIONS, and the maximum RSS of each client process (/usr/bin/time)
#       over 1 and CONNECTIONS connections: (RSS_N - RSS_1) / (N - 1).
#
# Usage (from the repository root):
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSMTPERR_BUILD_BENCH=ON
#   cmake --build build-bench --target smtperr_send_bench -j2
#   bench/transport/run.sh [BUILD_DIR]          # default: build-bench
# Environment: MESSAGES (5000), RUNS (5), MESSAGES_RTT (100), DELAY_MS (20),
# CONNECTIONS (50), MESSAGES_MEM (10, per connection in (c)).
# Needs the Debian packages postfix (smtp-sink, smtp-source), python3 and time.
# Only 127.0.0.1 is used; smtp-sink and the proxy are stopped by their pids at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-bench}
client=$build/bench/smtperr_send_bench
MESSAGES=${MESSAGES:-5000}
RUNS=${RUNS:-5}
MESSAGES_RTT=${MESSAGES_RTT:-100}
DELAY_MS=${DELAY_MS:-20}
CONNECTIONS=${CONNECTIONS:-50}
MESSAGES_MEM=${MESSAGES_MEM:-10}

find_tool() {
  local t
  for t in "/usr/sbin/$1" "/usr/lib/postfix/sbin/$1"; do
    if [[ -x $t ]]; then
      echo "$t"
      return
    fi
  done
  echo "run.sh: $1 not found (Debian package postfix)" >&2
  exit 1
}
if [[ ! -x /usr/bin/time ]]; then
  echo "run.sh: /usr/bin/time not found (Debian package time)" >&2
  exit 1
fi
sink=$(find_tool smtp-sink)
source_tool=$(find_tool smtp-source)
if [[ ! -x $client ]]; then
  echo "run.sh: $client missing; build it first (see the top of this script)" >&2
  exit 1
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
  local i
  for i in $(seq 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),1).close()" 2>/dev/null; then
      return
    fi
    sleep 0.05
  done
  echo "run.sh: nothing listens on 127.0.0.1:$1" >&2
  exit 1
}
# The value of key=VALUE in a line of figures.
get() { sed -n "s/.*[[:space:]]$1=\([^ ]*\).*/\1/p;s/^$1=\([^ ]*\).*/\1/p" <<<"$2" | head -1; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }

# smtp-source times itself nowhere: wall time around it (process start is ~1 ms).
run_source() {  # port messages sessions -> figures line
  local t0 t1 out
  t0=$(now)
  out=$("$source_tool" -d -s "$3" -m "$2" -l 1024 -M bench.client.test -f bench@client.test \
        -t sink@sink.test "127.0.0.1:$1" 2>&1) || { echo "smtp-source failed: $out" >&2; exit 1; }
  t1=$(now)
  echo "client=smtp-source messages=$2 seconds=$(calc "$t1 - $t0" 4) msgs_per_s=$(calc "$2 / ($t1 - $t0)" 1)"
}
run_smtperr() {  # port messages connections
  "$client" --port "$1" --messages "$2" --connections "$3" --size 1024
}
run_smtplib() {  # port messages
  python3 "$here/smtplib_bench.py" --port "$1" --messages "$2" --size 1024
}

sink_port=$(free_port)
sink_user=()
if [[ $(id -u) -eq 0 ]]; then
  sink_user=(-u nobody)  # smtp-sink refuses to run as root without it
fi
sink_cmd=("$sink" "${sink_user[@]}" "127.0.0.1:$sink_port" 1024)
"${sink_cmd[@]}" &
pids+=($!)
wait_port "$sink_port"

echo "# smtperr transport benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r)"
echo "# sink: ${sink_cmd[*]}"
echo "# smtperr: $client --port PORT --messages M --connections C --size 1024"
echo "# smtp-source: $source_tool -d -s C -m M -l 1024 -M bench.client.test -f bench@client.test -t sink@sink.test 127.0.0.1:PORT"
echo "# smtplib: python3 $here/smtplib_bench.py --port PORT --messages M --size 1024"
echo

# (a) ---------------------------------------------------------------------------------------
echo "## (a) messages per second, one loopback connection, $MESSAGES messages, median of $RUNS"
rate_e=() rate_s=() rate_p=()
for _ in $(seq "$RUNS"); do
  line=$(run_smtperr "$sink_port" "$MESSAGES" 1)
  [[ $(get not_sent "$line") == 0 ]] || { echo "smtperr: not every message sent: $line" >&2; exit 1; }
  rate_e+=("$(get msgs_per_s "$line")")
  line=$(run_source "$sink_port" "$MESSAGES" 1)
  rate_s+=("$(get msgs_per_s "$line")")
  line=$(run_smtplib "$sink_port" "$MESSAGES")
  [[ $(get not_sent "$line") == 0 ]] || { echo "smtplib: not every message sent: $line" >&2; exit 1; }
  rate_p+=("$(get msgs_per_s "$line")")
done
a_e=$(median "${rate_e[@]}")
a_s=$(median "${rate_s[@]}")
a_p=$(median "${rate_p[@]}")
printf '%-12s %12s %16s %12s\n' client msgs/s "vs smtp-source" "vs smtplib"
printf '%-12s %12s %15sx %11sx\n' smtperr "$a_e" "$(calc "$a_e / $a_s")" "$(calc "$a_e / $a_p")"
printf '%-12s %12s %15sx %11sx\n' smtp-source "$a_s" 1.00 "$(calc "$a_s / $a_p")"
printf '%-12s %12s %15sx %11sx\n' smtplib "$a_p" "$(calc "$a_p / $a_s")" 1.00
echo "runs (msgs/s): smtperr ${rate_e[*]} | smtp-source ${rate_s[*]} | smtplib ${rate_p[*]}"
echo

# (b) ---------------------------------------------------------------------------------------
proxy_port=$(free_port)
stats=$tmp/proxy.jsonl
: >"$stats"
proxy_cmd=(python3 "$here/delay_proxy.py" --listen "$proxy_port" --target "$sink_port"
           --delay-ms "$DELAY_MS" --stats "$stats")
"${proxy_cmd[@]}" &
pids+=($!)
wait_port "$proxy_port"
rtt=$(python3 "$here/rtt_probe.py" --port "$proxy_port")
stat_lines() { wc -l <"$stats"; }
chunks_after() {  # client chunks of the first connection that ended after line $1
  local i want=$(($1 + 1))
  for i in $(seq 100); do
    if [[ $(stat_lines) -ge $want ]]; then
      sed -n "${want}p" "$stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_chunks"])'
      return
    fi
    sleep 0.05
  done
  echo nan
}
sleep 0.3  # the probes' lines are written
echo "## (b) round trips per message, $MESSAGES_RTT messages on one connection, ${DELAY_MS} ms delay"
echo "# delay: ${proxy_cmd[*]}"
echo "# measured round trip through it: $rtt ms (python3 $here/rtt_probe.py --port PORT)"
printf '%-12s %9s %9s %11s %13s %17s %11s\n' client seconds msgs/s "RTT/msg" "RTT/msg meas" \
  "write groups/msg" "vs smtplib"
n0=$(stat_lines)
line=$(run_smtperr "$proxy_port" "$MESSAGES_RTT" 1)
[[ $(get not_sent "$line") == 0 ]] || { echo "smtperr: not every message sent: $line" >&2; exit 1; }
b_e_s=$(get seconds "$line"); b_e_c=$(chunks_after "$n0")
n0=$(stat_lines)
line=$(run_source "$proxy_port" "$MESSAGES_RTT" 1)
b_s_s=$(get seconds "$line"); b_s_c=$(chunks_after "$n0")
n0=$(stat_lines)
line=$(run_smtplib "$proxy_port" "$MESSAGES_RTT")
[[ $(get not_sent "$line") == 0 ]] || { echo "smtplib: not every message sent: $line" >&2; exit 1; }
b_p_s=$(get seconds "$line"); b_p_c=$(chunks_after "$n0")
row_b() {  # name seconds chunks
  printf '%-12s %9s %9s %11s %13s %17s %10sx\n' "$1" "$2" "$(calc "$MESSAGES_RTT / $2" 1)" \
    "$(calc "$2 * 1000 / $DELAY_MS / $MESSAGES_RTT")" "$(calc "$2 * 1000 / $rtt / $MESSAGES_RTT")" \
    "$(calc "$3 / $MESSAGES_RTT")" "$(calc "$b_p_s / $2")"
}
row_b smtperr "$b_e_s" "$b_e_c"
row_b smtp-source "$b_s_s" "$b_s_c"
row_b smtplib "$b_p_s" "$b_p_c"
echo "(RTT/msg = elapsed / ${DELAY_MS} ms / messages; RTT/msg meas = elapsed / $rtt ms / messages;"
echo " both include connect, greeting, EHLO and QUIT. Write groups = client chunks the proxy"
echo " read, EHLO and QUIT included.)"
echo

# (c) ---------------------------------------------------------------------------------------
echo "## (c) memory per connection, $MESSAGES_MEM messages per connection, 1 and $CONNECTIONS connections"
rss() {  # command... -> its max RSS in kB (its own output is dropped)
  /usr/bin/time -f 'max_rss_kb=%M' -o "$tmp/time" "$@" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
  get max_rss_kb "$(cat "$tmp/time")"
}
line1=$(run_smtperr "$sink_port" "$MESSAGES_MEM" 1)
lineN=$(run_smtperr "$sink_port" "$MESSAGES_MEM" "$CONNECTIONS")
[[ $(get not_sent "$lineN") == 0 ]] || { echo "smtperr: not every message sent: $lineN" >&2; exit 1; }
lineM=$(run_smtperr "$sink_port" "$MESSAGES" 1)
h1=$(get peak_heap_bytes "$line1")
hN=$(get peak_heap_bytes "$lineN")
hM=$(get peak_heap_bytes "$lineM")
e_r1=$(rss "$client" --port "$sink_port" --messages "$MESSAGES_MEM" --connections 1 --size 1024)
e_rN=$(rss "$client" --port "$sink_port" --messages "$MESSAGES_MEM" --connections "$CONNECTIONS" --size 1024)
s_r1=$(rss "$source_tool" -d -s 1 -m "$MESSAGES_MEM" -l 1024 -f bench@client.test -t sink@sink.test "127.0.0.1:$sink_port")
s_rN=$(rss "$source_tool" -d -s "$CONNECTIONS" -m $((MESSAGES_MEM * CONNECTIONS)) -l 1024 -f bench@client.test -t sink@sink.test "127.0.0.1:$sink_port")
p_r1=$(rss python3 "$here/smtplib_bench.py" --port "$sink_port" --messages "$MESSAGES_MEM" --size 1024)
echo "smtperr heap used while sending (peak, the caller's messages excluded):"
echo "  1 connection: $h1 B; $CONNECTIONS connections: $hN B = $(calc "$hN / $CONNECTIONS / 1024" 1) KiB per connection"
echo "  1 connection with $MESSAGES messages: $hM B = $(calc "$hM / $MESSAGES" 0) B per message (its report and attempt)"
printf '%-12s %14s %16s %26s\n' client "max RSS, 1" "max RSS, $CONNECTIONS" "(RSS_N - RSS_1) / (N - 1)"
printf '%-12s %11s kB %13s kB %23s kB\n' smtperr "$e_r1" "$e_rN" "$(calc "($e_rN - $e_r1) / ($CONNECTIONS - 1)" 1)"
printf '%-12s %11s kB %13s kB %23s kB\n' smtp-source "$s_r1" "$s_rN" "$(calc "($s_rN - $s_r1) / ($CONNECTIONS - 1)" 1)"
printf '%-12s %11s kB %16s %26s\n' smtplib "$p_r1" "-" "- (one connection at a time)"
