#!/usr/bin/env bash
# A real Postfix with Dovecot SASL on 127.0.0.1, for the integration tests (issue #5).
#
#   fixture.sh start DIR    (re)start it; all state, config and logs live in DIR
#   fixture.sh stop DIR     stop the processes that belong to DIR (by pid), keep DIR
#   fixture.sh status DIR   print its processes and DIR/fixture.env; exit 1 when not running
#
# DIR must be short (Dovecot's socket paths stay under 108 bytes) and outside /root (the
# daemons run as postfix, dovecot and nobody): e.g. /tmp/smtperr-pf. Nothing system-wide is
# configured, no systemd is involved, and only processes whose working directory is inside
# DIR are ever signalled. `start` first stops what an earlier (perhaps crashed) run left,
# then writes DIR/fixture.env with the ports and paths for the tests.
# Facts behind the details: /work/shared/reference/postfix-test-server.md ("pitfall N").
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|status DIR" >&2
  exit 2
}
(($# == 2)) || usage
cmd=$1
case $2 in
  /*) dir=${2%/} ;;
  *) dir=$(pwd)/${2%/} ;;
esac

DOMAIN=smtperr.test
MAILBOXES=(anna bob carol dave sender)  # Maildirs under DIR/mail/$DOMAIN/
SASL_USER=anna@$DOMAIN
DEFERRED=later@$DOMAIN     # check_recipient_access answers 450 for this one
SIZE_LIMIT=200000          # smtpd on the limits port: announced SIZE and the SIZE= check
CLEANUP_LIMIT=20000        # cleanup_small behind the limits port: the body's real limit
RCPT_LIMIT=2               # smtpd_recipient_limit on the limits port
RATE_LIMIT=1               # connections per anvil_rate_time_unit on the rate port
LISTENERS=(submit tlsonly smtps mx limits rate)

spool=$dir/spool
etc=$dir/etc
dovecot_run=$dir/dovecot/run

log() { echo "fixture: $*" >&2; }
die() {
  log "$*"
  exit 1
}

#---------------------------------------------------------------------------------------
# Processes

# "PID KIND" (KIND: postfix or dovecot) of each live process started for DIR: Postfix
# daemons work in the queue directory, Dovecot's in its base_dir (pitfall 16), and the
# executable must be theirs as well. Bash built-ins only: this runs in polling loops.
our_pids() {
  local p stat comm state
  for p in /proc/[0-9]*; do
    [[ $p/cwd -ef $spool || $p/cwd -ef $dovecot_run || $p/cwd -ef $dovecot_run/empty ]] || continue
    { read -r stat <"$p/stat"; } 2>/dev/null || continue
    comm=${stat#*(}
    comm=${comm%)*}
    state=${stat##*) }
    state=${state%% *}
    # A zombie cannot be signalled, only reaped by its parent (pitfall 15).
    [[ $state == Z ]] && continue
    if [[ $p/exe -ef /usr/lib/postfix/sbin/$comm ]]; then
      echo "${p#/proc/} postfix"
    elif [[ $p/exe -ef /usr/sbin/dovecot || $p/exe -ef /usr/lib/dovecot/$comm ]]; then
      echo "${p#/proc/} dovecot"
    fi
  done
}

# The pids of our processes of KIND (postfix, dovecot, or any).
our_pids_of() {
  local pid kind
  while read -r pid kind; do
    if [[ $1 == any || $1 == "$kind" ]]; then echo "$pid"; fi
  done < <(our_pids)
}

# The pid in FILE if that process is alive and one of ours of KIND.
pid_from_file() {
  local file=$1 kind=$2 pid p
  [[ -f $file ]] || return 1
  read -r pid <"$file" || return 1
  for p in $(our_pids_of "$kind"); do
    if [[ $p == "$pid" ]]; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

# Sends TERM to the master of KIND, then to all of that kind's processes (the state is
# thrown away anyway, and idle daemons take over a second to notice their master is gone),
# waits for them to go, and KILLs stragglers by pid after a bound.
stop_kind() {
  local kind=$1 pidfile=$2 pid i left
  if pid=$(pid_from_file "$pidfile" "$kind"); then
    kill -TERM "$pid" 2>/dev/null || true
  fi
  for ((i = 0; i < 100; i++)); do
    mapfile -t left < <(our_pids_of "$kind")
    ((${#left[@]} == 0)) && break
    if ((i == 2)); then kill -TERM "${left[@]}" 2>/dev/null || true; fi
    if ((i == 60)); then kill -KILL "${left[@]}" 2>/dev/null || true; fi
    sleep 0.05
  done
  rm -f "$pidfile"
}

stop_all() {
  # Postfix first: its idle smtpd processes hold connections to Dovecot's auth (pitfall 14).
  stop_kind postfix "$spool/pid/master.pid"
  stop_kind dovecot "$dovecot_run/master.pid"
  # A second sweep for anything that belonged to neither master.
  local left
  mapfile -t left < <(our_pids_of any)
  if ((${#left[@]} > 0)); then
    kill -KILL "${left[@]}" 2>/dev/null || true
  fi
}

# Pids of processes of a run whose DIR was deleted while they ran (their cwd reads
# "… (deleted)"), found with readlink; only looked for when DIR is new.
orphan_pids() {
  local p cwd
  for p in /proc/[0-9]*; do
    cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
    case $cwd in
      "$spool (deleted)" | "$dovecot_run (deleted)" | "$dovecot_run/"*" (deleted)") ;;
      *) continue ;;
    esac
    case $(readlink "$p/exe" 2>/dev/null) in
      /usr/lib/postfix/sbin/* | /usr/sbin/dovecot | /usr/lib/dovecot/*) echo "${p#/proc/}" ;;
    esac
  done
}

stop_orphans() {
  local pids
  mapfile -t pids < <(orphan_pids)
  ((${#pids[@]} == 0)) && return 0
  log "stopping processes of a deleted $dir: ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  sleep 1
  mapfile -t pids < <(orphan_pids)
  if ((${#pids[@]} > 0)); then
    kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
}

#---------------------------------------------------------------------------------------
# Configuration

# Writes stdin to FILE when the content differs, and back-dates it: Postfix sleeps 1.5 s in
# every command when main.cf or master.cf changed less than a second ago (pitfall 3).
put() {
  local file=$1 tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  if [[ -f $file ]] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
  else
    chmod 644 "$tmp"
    mv -f "$tmp" "$file"
  fi
  touch -d '-10 seconds' "$file"
}

# Base port of a run of N free loopback ports, below the ephemeral range.
free_ports() {
  local n=$1 base i try line
  local -A busy=()
  while read -r _ line _; do
    [[ $line == *:* ]] && busy[$((16#${line##*:}))]=1
  done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  for ((try = 0; try < 50; try++)); do
    base=$((20000 + (RANDOM % 1200) * 10))
    for ((i = 0; i < n; i++)); do
      [[ -n ${busy[$((base + i))]:-} ]] && continue 2
    done
    echo "$base"
    return 0
  done
  return 1
}

# A fresh throwaway CA, a server certificate for 127.0.0.1 from it, and a second CA that
# signed nothing here (for certificate_untrusted), at every start: none of them can expire.
make_pki() {
  local tls=$dir/tls
  rm -rf "$tls"
  mkdir -p "$tls"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 30 \
    -subj "/CN=smtperr test CA" 2>/dev/null
  openssl req -x509 "${ec[@]}" -keyout "$tls/other-ca.key" -out "$tls/other-ca.pem" -days 30 \
    -subj "/CN=smtperr untrusted CA" 2>/dev/null
  openssl req "${ec[@]}" -keyout "$tls/server.key" -out "$tls/server.csr" \
    -subj "/CN=mx.$DOMAIN" 2>/dev/null
  printf 'subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:mx.%s\nextendedKeyUsage = serverAuth\n' \
    "$DOMAIN" >"$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 30 -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null
  chmod 600 "$tls"/*.key
}

write_config() {
  local base=$1 password=$2
  local -A port
  local i=0 l
  for l in "${LISTENERS[@]}"; do
    port[$l]=$((base + i))
    i=$((i + 1))
  done

  mkdir -p "$etc" "$spool" "$dir/data" "$dir/mail" "$dir/log" "$dir/dovecot" "$dovecot_run"
  chmod 755 "$dir" "$etc" "$spool" "$dir/mail" "$dir/log" "$dir/dovecot"
  chown postfix: "$dir/data"
  chmod 700 "$dir/data"
  chown nobody:nogroup "$dir/mail"
  # Dovecot puts its auth socket here before Postfix ever ran (postfix-files: private).
  mkdir -p "$spool/private"
  chown postfix: "$spool/private"
  chmod 700 "$spool/private"

  put "$etc/main.cf" <<EOF
# Written by tests/integration/postfix/fixture.sh; test-only, loopback only.
compatibility_level = 3.6
queue_directory = $spool
data_directory = $dir/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.$DOMAIN
mydomain = $DOMAIN
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtpd_delay_reject = no
smtpd_banner = \$myhostname ESMTP
maillog_file = $dir/log/postfix.log
maillog_file_prefixes = $dir/log
biff = no
append_dot_mydomain = no
relayhost =
default_transport = error:5.7.1 delivery outside $DOMAIN disabled (test server)
relay_transport = \$default_transport
delay_warning_time = 0
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = texthash:$etc/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
# No permit_mynetworks: loopback must not be a trusted relay (pitfall 7).
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:$etc/rcpt_access
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_auth_enable = no
smtpd_tls_security_level = may
smtpd_tls_cert_file = $dir/tls/server.pem
smtpd_tls_key_file = $dir/tls/server.key
smtpd_tls_loglevel = 1
# The Received header says TLS was used: the tests check it in the delivered message.
smtpd_tls_received_header = yes
message_size_limit = 10240000
anvil_rate_time_unit = 60s
# Postfix has no native 530 for a missing AUTH (pitfall 9).
submission_sender_restrictions = permit_sasl_authenticated, check_sender_access static:{530 5.7.0 Authentication required}
EOF

  put "$etc/master.cf" <<EOF
# Written by tests/integration/postfix/fixture.sh. chroot n everywhere (pitfall 4).
# service    type  private unpriv chroot wakeup maxproc command
127.0.0.1:${port[submit]} inet n - n - - smtpd
  -o syslog_name=postfix/submit
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sender_restrictions=\$submission_sender_restrictions
127.0.0.1:${port[tlsonly]} inet n - n - - smtpd
  -o syslog_name=postfix/tlsonly
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sender_restrictions=\$submission_sender_restrictions
127.0.0.1:${port[smtps]} inet n - n - - smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sender_restrictions=\$submission_sender_restrictions
127.0.0.1:${port[mx]} inet n - n - - smtpd
  -o syslog_name=postfix/mx
127.0.0.1:${port[limits]} inet n - n - - smtpd
  -o syslog_name=postfix/limits
  -o message_size_limit=$SIZE_LIMIT
  -o smtpd_recipient_limit=$RCPT_LIMIT
  -o cleanup_service_name=cleanup_small
127.0.0.1:${port[rate]} inet n - n - - smtpd
  -o syslog_name=postfix/rate
  -o smtpd_client_connection_rate_limit=$RATE_LIMIT
  -o smtpd_client_event_limit_exceptions=
cleanup_small unix n - n - 0 cleanup
  -o message_size_limit=$CLEANUP_LIMIT
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
tlsmgr     unix  -       -       n       1000?   1       tlsmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
virtual    unix  -       n       n       -       -       virtual
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
EOF

  local m
  {
    for m in "${MAILBOXES[@]}"; do
      echo "$m@$DOMAIN $DOMAIN/$m/"
    done
  } | put "$etc/vmailbox"
  put "$etc/rcpt_access" <<EOF
$DEFERRED 450 4.2.0 Mailbox busy, try again later
EOF

  # Dovecot as the SASL server only: no protocols, no TLS, its own base and state dirs.
  put "$dir/dovecot/users" <<EOF
$SASL_USER:{PLAIN}$password::::::
EOF
  chown root:dovecot "$dir/dovecot/users"
  chmod 640 "$dir/dovecot/users"
  put "$dir/dovecot/dovecot.conf" <<EOF
# Written by tests/integration/postfix/fixture.sh.
protocols =
base_dir = $dovecot_run
state_dir = $dir/dovecot/state
instance_name = smtperr-test
log_path = $dir/log/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = $dir/dovecot/users
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$dir/mail/%d/%n
}
service auth {
  unix_listener $spool/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
# No penalty delays after failed AUTHs (pitfall 12).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF

  {
    echo "SMTPERR_PF_DIR=$dir"
    echo "SMTPERR_PF_HOST=127.0.0.1"
    for l in "${LISTENERS[@]}"; do
      echo "SMTPERR_PF_PORT_${l^^}=${port[$l]}"
    done
    echo "SMTPERR_PF_DOMAIN=$DOMAIN"
    echo "SMTPERR_PF_USER=$SASL_USER"
    echo "SMTPERR_PF_PASSWORD=$password"
    echo "SMTPERR_PF_DEFERRED=$DEFERRED"
    echo "SMTPERR_PF_SIZE_LIMIT=$SIZE_LIMIT"
    echo "SMTPERR_PF_CLEANUP_LIMIT=$CLEANUP_LIMIT"
    echo "SMTPERR_PF_RCPT_LIMIT=$RCPT_LIMIT"
    echo "SMTPERR_PF_RATE_LIMIT=$RATE_LIMIT"
    echo "SMTPERR_PF_CA=$dir/tls/ca.pem"
    echo "SMTPERR_PF_OTHER_CA=$dir/tls/other-ca.pem"
    echo "SMTPERR_PF_MAIL=$dir/mail/$DOMAIN"
    echo "SMTPERR_PF_LOG=$dir/log/postfix.log"
  } >"$dir/fixture.env.new"
  mv -f "$dir/fixture.env.new" "$dir/fixture.env"
}

# True when every listener is in LISTEN state (read from /proc: connecting to a limited
# port would count against anvil, pitfall 18).
listening() {
  local l p hex
  for l in "${LISTENERS[@]}"; do
    p=$(sed -n "s/^SMTPERR_PF_PORT_${l^^}=//p" "$dir/fixture.env")
    hex=$(printf '0100007F:%04X' "$p")
    awk -v a="$hex" '$2 == a && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp || return 1
  done
}

# Reads the greeting of the (unlimited) submission port: smtpd asks Dovecot for its
# mechanisms before it greets, so this proves both are up.
greets() {
  local p line
  p=$(sed -n 's/^SMTPERR_PF_PORT_SUBMIT=//p' "$dir/fixture.env")
  exec 3<>"/dev/tcp/127.0.0.1/$p" || return 1
  IFS= read -r -t 10 line <&3 || line=
  printf 'QUIT\r\n' >&3
  exec 3<&- 3>&-
  [[ $line == 220* ]]
}

start() {
  [[ $dir == /root* ]] && die "DIR must be reachable by the daemons' users, not under /root"
  ((${#dir} <= 60)) || die "DIR is too long for Dovecot's socket paths: $dir"
  if ! command -v postfix >/dev/null || ! command -v dovecot >/dev/null; then
    die "postfix and dovecot-core are not installed (scripts/setup.sh installs them)"
  fi
  # DIR is emptied in part below: refuse a directory that has other things in it.
  if [[ -d $dir && ! -e $dir/.smtperr-postfix-fixture && -n $(ls -A "$dir") ]]; then
    die "$dir is not empty and was not made by this script"
  fi
  if [[ ! -e $dir/.smtperr-postfix-fixture ]]; then
    stop_orphans
  fi
  mkdir -p "$dir"
  touch "$dir/.smtperr-postfix-fixture"
  stop_all

  # Fresh state: an empty queue and empty mailboxes; stale pid files and the penalty
  # socket of an earlier run go (pitfalls 12, 15).
  local q
  for q in incoming active deferred defer bounce hold corrupt trace maildrop flush saved; do
    [[ -d $spool/$q ]] && find "$spool/$q" -mindepth 1 -type f -delete
  done
  rm -rf "${dir:?}/mail/$DOMAIN" "$dovecot_run" "$spool/pid/master.pid" "$dir/data/master.lock"

  local base password
  base=$(free_ports "${#LISTENERS[@]}") || die "no free port range found"
  password=$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  make_pki
  write_config "$base" "$password"
  : >"$dir/log/postfix.log"
  : >"$dir/log/dovecot.log"
  if ! runuser -u nobody -- test -x "$dir/mail" || ! runuser -u dovecot -- test -r "$dir/dovecot/users"; then
    die "the daemons' users cannot reach $dir (pitfall 19)"
  fi

  # The daemons must not inherit the caller's output pipes (ctest would wait for them).
  dovecot -c "$dir/dovecot/dovecot.conf" </dev/null >/dev/null 2>&1 ||
    die "dovecot failed to start; see $dir/log/dovecot.log"
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -S $spool/private/auth ]] && break
    sleep 0.05
  done
  [[ -S $spool/private/auth ]] || die "no Dovecot auth socket; see $dir/log/dovecot.log"

  postfix -c "$etc" start </dev/null >/dev/null 2>&1 || {
    tail -n 20 "$dir/log/postfix.log" >&2 || true
    die "postfix failed to start (run: script -qec 'postfix -c $etc check' /dev/null)"
  }
  for ((i = 0; i < 100; i++)); do
    listening && break
    sleep 0.05
  done
  listening || die "postfix listeners did not come up; see $dir/log/postfix.log"
  greets || die "no greeting from the submission port; see $dir/log/*.log"
  log "running in $dir, ports from $(sed -n 's/^SMTPERR_PF_PORT_SUBMIT=//p' "$dir/fixture.env")"
}

case $cmd in
  start) start ;;
  stop)
    [[ -d $dir ]] || exit 0
    stop_all
    ;;
  status)
    mapfile -t running < <(our_pids_of any)
    [[ -f $dir/fixture.env ]] && grep -v PASSWORD "$dir/fixture.env"
    if ((${#running[@]} == 0)); then
      echo "not running"
      exit 1
    fi
    ps -o pid,user,args -p "$(IFS=,; echo "${running[*]}")"
    ;;
  *) usage ;;
esac
