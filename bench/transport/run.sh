#!/usr/bin/env bash
# smtperr — SMTP error mapping for mail clients.
# Distributed under the Boost Software License, Version 1.0.
#
# The transport benchmark: smtperr's async_submit_batch against Postfix's smtp-sink on
# 127.0.0.1, in the same run as Postfix's own smtp-source and Python's smtplib on the same
# sink, 1 kB messages (a short header and 1024 octets of body; smtp-source: -l 1024).
#
#   (a) messages per second over one loopback connection (median of RUNS runs);
#       every client is timed the same way, by wall time around its process (bash's
#       $EPOCHREALTIME, no fork): smtp-source reports no time of its own, so process start
#       and exit count for all three (a few ms; Python's with smtplib up to 0.1 s);
#   (b) round trips per message over MESSAGES_RTT messages on one connection, with a
#       DELAY_MS round trip put on the path by delay_proxy.py (server-to-client chunks
#       delayed; netem needs the sch_netem kernel module, which containers often lack):
#       elapsed (wall time around the process, as in (a)) / RTT / messages, and client
#       write groups (chunks the proxy read) per message;
#   (c) peak memory per connection, the total of messages fixed at
#       T = CONNECTIONS x MESSAGES_MEM so that what grows with the messages (smtperr holds
#       the caller's messages and a report per message; smtp-source makes each message as
#       it sends it) cancels out: the maximum RSS of each client process (/usr/bin/time)
#       with CONNECTIONS connections of MESSAGES_MEM messages and with 1 connection of T
#       messages, (RSS_N - RSS_1) / (N - 1); and smtperr's heap (every malloc of the
#       process, OpenSSL's too: smtperr_send_bench counts at the C allocator, the caller's
#       messages excluded), peak / N and the same difference of the two runs.
#
# Usage (from the repository root):
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSMTPERR_BUILD_BENCH=ON
#   cmake --build build-bench --target smtperr_send_bench -j2
#   bench/transport/run.sh [BUILD_DIR]          # default: build-bench
# Environment: MESSAGES (5000), RUNS (5), MESSAGES_RTT (100), DELAY_MS (20),
# CONNECTIONS (50), MESSAGES_MEM (10, per connection in (c)).
# Needs the Debian packages postfix (smtp-sink, smtp-source), python3 and time
# (scripts/setup.sh installs them).
# Only 127.0.0.1 is used; smtp-sink and the proxy are stopped by their pids at the end.
set -euo pipefail
shopt -s inherit_errexit  # a failure inside $(...) stops the run too
# $EPOCHREALTIME and awk's printf with a decimal point, whatever the caller's locale.
export LC_ALL=C

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
# Debian's python3 (a shim on PATH, such as pyenv's, would add its own start to smtplib's time).
python=/usr/bin/python3
if [[ ! -x $python ]]; then
  python=$(command -v python3) || { echo "run.sh: python3 not found (Debian package python3)" >&2; exit 1; }
fi
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
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
  local i
  for i in $(seq 100); do
    if "$python" -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),1).close()" 2>/dev/null; then
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

# Every client is timed the same way: wall time around its process, from bash's
# $EPOCHREALTIME (no fork of `date` inside the interval), its output to a file (no command
# substitution inside it). smtp-source times itself nowhere; smtperr and smtplib print the
# time of their sending alone too (seconds=, msgs_per_s=), shown beside for reference.
timed() {  # name messages command... -> its own last line, then wall_seconds= wall_msgs_per_s=
  local name=$1 m=$2 t0 t1
  shift 2
  t0=$EPOCHREALTIME
  "$@" >"$tmp/run.out" 2>&1 || { echo "$name failed: $(cat "$tmp/run.out")" >&2; exit 1; }
  t1=$EPOCHREALTIME
  echo "$(tail -n 1 "$tmp/run.out") wall_seconds=$(calc "$t1 - $t0" 4)" \
    "wall_msgs_per_s=$(calc "$m / ($t1 - $t0)" 1)"
}
run_source() {  # port messages sessions -> figures line
  local out
  out=$(timed smtp-source "$2" "$source_tool" -d -s "$3" -m "$2" -l 1024 -M bench.client.test \
        -f bench@client.test -t sink@sink.test "127.0.0.1:$1") || exit 1
  echo "client=smtp-source $out"
}
run_smtperr() {  # port messages connections
  timed smtperr "$(($2 * $3))" "$client" --port "$1" --messages "$2" --connections "$3" --size 1024
}
run_smtplib() {  # port messages
  timed smtplib "$2" "$python" "$here/smtplib_bench.py" --port "$1" --messages "$2" --size 1024
}
# Fails the run unless the figures line says every message was sent.
all_sent() {  # name line
  [[ $(get not_sent "$2") == 0 ]] || { echo "$1: not every message sent: $2" >&2; exit 1; }
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
echo "# smtplib: $python $here/smtplib_bench.py --port PORT --messages M --size 1024"
echo

# (a) ---------------------------------------------------------------------------------------
echo "## (a) messages per second, one loopback connection, $MESSAGES messages, median of $RUNS"
echo "# wall time around each client's process, start and exit included"
rate_e=() rate_s=() rate_p=() own_e=() own_p=()
for _ in $(seq "$RUNS"); do
  line=$(run_smtperr "$sink_port" "$MESSAGES" 1)
  all_sent smtperr "$line"
  rate_e+=("$(get wall_msgs_per_s "$line")")
  own_e+=("$(get msgs_per_s "$line")")
  line=$(run_source "$sink_port" "$MESSAGES" 1)
  rate_s+=("$(get wall_msgs_per_s "$line")")
  line=$(run_smtplib "$sink_port" "$MESSAGES")
  all_sent smtplib "$line"
  rate_p+=("$(get wall_msgs_per_s "$line")")
  own_p+=("$(get msgs_per_s "$line")")
done
a_e=$(median "${rate_e[@]}")
a_s=$(median "${rate_s[@]}")
a_p=$(median "${rate_p[@]}")
printf '%-12s %12s %16s %12s\n' client msgs/s "vs smtp-source" "vs smtplib"
printf '%-12s %12s %15sx %11sx\n' smtperr "$a_e" "$(calc "$a_e / $a_s")" "$(calc "$a_e / $a_p")"
printf '%-12s %12s %15sx %11sx\n' smtp-source "$a_s" 1.00 "$(calc "$a_s / $a_p")"
printf '%-12s %12s %15sx %11sx\n' smtplib "$a_p" "$(calc "$a_p / $a_s")" 1.00
echo "runs (msgs/s): smtperr ${rate_e[*]} | smtp-source ${rate_s[*]} | smtplib ${rate_p[*]}"
echo "sending alone, timed in the process (msgs/s): smtperr ${own_e[*]} | smtplib ${own_p[*]}"
echo

# (b) ---------------------------------------------------------------------------------------
proxy_port=$(free_port)
stats=$tmp/proxy.jsonl
: >"$stats"
proxy_cmd=("$python" "$here/delay_proxy.py" --listen "$proxy_port" --target "$sink_port"
           --delay-ms "$DELAY_MS" --stats "$stats")
"${proxy_cmd[@]}" &
pids+=($!)
wait_port "$proxy_port"
rtt=$("$python" "$here/rtt_probe.py" --port "$proxy_port")
stat_lines() { wc -l <"$stats"; }
chunks_after() {  # client chunks of the first connection that ended after line $1
  local i want=$(($1 + 1))
  for i in $(seq 100); do
    if [[ $(stat_lines) -ge $want ]]; then
      sed -n "${want}p" "$stats" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["client_chunks"])'
      return
    fi
    sleep 0.05
  done
  echo nan
}
# The port probe and the RTT probe each made one connection: wait for both lines, so that
# the lines counted below are the clients' own.
for _ in $(seq 100); do
  [[ $(stat_lines) -ge 2 ]] && break
  sleep 0.05
done
[[ $(stat_lines) -ge 2 ]] || { echo "run.sh: the proxy wrote no stats for the probes" >&2; exit 1; }
echo "## (b) round trips per message, $MESSAGES_RTT messages on one connection, ${DELAY_MS} ms delay"
echo "# delay: ${proxy_cmd[*]}"
echo "# measured round trip through it: $rtt ms ($python $here/rtt_probe.py --port PORT)"
printf '%-12s %9s %9s %11s %13s %17s %11s\n' client seconds msgs/s "RTT/msg" "RTT/msg meas" \
  "write groups/msg" "vs smtplib"
n0=$(stat_lines)
line=$(run_smtperr "$proxy_port" "$MESSAGES_RTT" 1)
all_sent smtperr "$line"
b_e_s=$(get wall_seconds "$line"); b_e_c=$(chunks_after "$n0")
n0=$(stat_lines)
line=$(run_source "$proxy_port" "$MESSAGES_RTT" 1)
b_s_s=$(get wall_seconds "$line"); b_s_c=$(chunks_after "$n0")
n0=$(stat_lines)
line=$(run_smtplib "$proxy_port" "$MESSAGES_RTT")
all_sent smtplib "$line"
b_p_s=$(get wall_seconds "$line"); b_p_c=$(chunks_after "$n0")
row_b() {  # name seconds chunks
  printf '%-12s %9s %9s %11s %13s %17s %10sx\n' "$1" "$2" "$(calc "$MESSAGES_RTT / $2" 1)" \
    "$(calc "$2 * 1000 / $DELAY_MS / $MESSAGES_RTT")" "$(calc "$2 * 1000 / $rtt / $MESSAGES_RTT")" \
    "$(calc "$3 / $MESSAGES_RTT")" "$(calc "$b_p_s / $2")"
}
row_b smtperr "$b_e_s" "$b_e_c"
row_b smtp-source "$b_s_s" "$b_s_c"
row_b smtplib "$b_p_s" "$b_p_c"
echo "(elapsed: wall time around the client's process; RTT/msg = elapsed / ${DELAY_MS} ms / messages;"
echo " RTT/msg meas = elapsed / $rtt ms / messages; both include process start, connect,"
echo " greeting, EHLO and QUIT. Write groups = client chunks the proxy read, EHLO and QUIT"
echo " included.)"
echo

# (c) ---------------------------------------------------------------------------------------
total_mem=$((MESSAGES_MEM * CONNECTIONS))
echo "## (c) memory per connection, $total_mem messages: $CONNECTIONS connections x $MESSAGES_MEM and 1 x $total_mem"
rss() {  # command... -> its max RSS in kB (its own output is dropped)
  /usr/bin/time -f 'max_rss_kb=%M' -o "$tmp/time" "$@" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
  get max_rss_kb "$(cat "$tmp/time")"
}
line1=$(run_smtperr "$sink_port" "$MESSAGES_MEM" 1)
lineN=$(run_smtperr "$sink_port" "$MESSAGES_MEM" "$CONNECTIONS")
lineT=$(run_smtperr "$sink_port" "$total_mem" 1)
lineM=$(run_smtperr "$sink_port" "$MESSAGES" 1)
for line in "$line1" "$lineN" "$lineT" "$lineM"; do
  all_sent smtperr "$line"
done
h1=$(get peak_heap_bytes "$line1")
hN=$(get peak_heap_bytes "$lineN")
hT=$(get peak_heap_bytes "$lineT")
hM=$(get peak_heap_bytes "$lineM")
oN=$(get peak_heap_openssl_bytes "$lineN")
# smtperr_send_bench and smtplib_bench.py exit non-zero unless every message was sent, and
# rss stops the run then.
e_rT=$(rss "$client" --port "$sink_port" --messages "$total_mem" --connections 1 --size 1024)
e_rN=$(rss "$client" --port "$sink_port" --messages "$MESSAGES_MEM" --connections "$CONNECTIONS" --size 1024)
s_rT=$(rss "$source_tool" -d -s 1 -m "$total_mem" -l 1024 -f bench@client.test -t sink@sink.test "127.0.0.1:$sink_port")
s_rN=$(rss "$source_tool" -d -s "$CONNECTIONS" -m "$total_mem" -l 1024 -f bench@client.test -t sink@sink.test "127.0.0.1:$sink_port")
p_rT=$(rss "$python" "$here/smtplib_bench.py" --port "$sink_port" --messages "$total_mem" --size 1024)
echo "smtperr heap used while sending (peak; every malloc of the process, OpenSSL's included;"
echo "the caller's messages excluded):"
echo "  1 connection x $MESSAGES_MEM: $h1 B"
echo "  $CONNECTIONS connections x $MESSAGES_MEM: $hN B = $(calc "$hN / $CONNECTIONS / 1024" 1) KiB per connection," \
  "of which OpenSSL $(calc "$oN / $CONNECTIONS / 1024" 1) KiB"
echo "  1 connection x $total_mem: $hT B; (heap_N - heap_1) / (N - 1) = $(calc "($hN - $hT) / ($CONNECTIONS - 1) / 1024" 1) KiB per connection"
echo "  1 connection x $MESSAGES: $hM B = $(calc "$hM / $MESSAGES" 0) B per message (its report and attempt)"
printf '%-12s %18s %18s %26s\n' client "max RSS, 1 x $total_mem" "max RSS, $CONNECTIONS x $MESSAGES_MEM" "(RSS_N - RSS_1) / (N - 1)"
printf '%-12s %15s kB %15s kB %23s kB\n' smtperr "$e_rT" "$e_rN" "$(calc "($e_rN - $e_rT) / ($CONNECTIONS - 1)" 1)"
printf '%-12s %15s kB %15s kB %23s kB\n' smtp-source "$s_rT" "$s_rN" "$(calc "($s_rN - $s_rT) / ($CONNECTIONS - 1)" 1)"
printf '%-12s %15s kB %18s %26s\n' smtplib "$p_rT" "-" "- (one connection at a time)"
