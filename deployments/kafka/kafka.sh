#!/usr/bin/env bash
# Local Apache Kafka (KRaft, no ZooKeeper, no Docker) for development and the
# integration tests. The broker jars come from Maven Central through pom.xml
# beside this script; the Kafka version is pinned there and only there.
#
#   kafka.sh up          one combined broker+controller on 127.0.0.1:19092
#   kafka.sh cluster-up  three combined nodes on 127.0.0.1:19092,19093,19094
#   kafka.sh down        stop whatever runs and delete its data
#   kafka.sh restart     stop and start the running node(s), keeping data
#   kafka.sh status      mode, pids, ports, whether each broker answers
#                        (exit 0 running and answering, 1 running but not
#                        all answering, 3 not running)
#   kafka.sh version     the pinned Kafka version
#
# Environment: KAFKA_LAB_*, the launcher's own names, kept apart from the
# daemon's DISPATCHD_* configuration. The older name in brackets is deprecated
# and read only when the new one is unset.
#   KAFKA_LAB_CACHE         jar cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/dispatchd/kafka-<version>)
#                           [DISPATCHD_KAFKA_CACHE]
#   KAFKA_LAB_STATE         data, logs, pid files, generated properties
#                           (default ${TMPDIR:-/tmp}/dispatchd-kafka) [DISPATCHD_KAFKA_STATE]
#   KAFKA_LAB_WAIT_TIMEOUT  seconds to wait for the cluster to answer (default 90) [KAFKA_WAIT_TIMEOUT]
#   KAFKA_LAB_STOP_TIMEOUT  seconds to wait after SIGTERM before SIGKILL (default 20) [KAFKA_STOP_TIMEOUT]
#   KAFKA_LAB_HEAP_OPTS     broker heap (default -Xms256m -Xmx768m; cluster nodes -Xmx512m) [KAFKA_HEAP_OPTS]
#   KAFKA_LAB_JAVA          the java to run, Java 17 or newer [JAVA] (default $JAVA_HOME/bin/java, else java)
#   KAFKA_LAB_MVN           the maven to run (default mvn) [MVN]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$HERE/pom.xml"
PROG="kafka.sh"

# Ports. Node n (1-based) listens for clients on 19091+n and for the KRaft
# controller quorum on 19191+n. The single node is node 1 of that same
# layout, so its controller port (19192) never clashes with a cluster broker
# port (19092-19094). Everything binds to 127.0.0.1 only.
HOST=127.0.0.1
BROKER_PORT_BASE=19091
CONTROLLER_PORT_BASE=19191
MARKER="-Ddispatchd.kafka.node=" # on every broker's command line: "ours"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "$PROG: cannot read <kafka.version> from $POM" >&2; exit 1; }
# The DISPATCHD_KAFKA_* names sit in the daemon's configuration namespace:
# still honoured, with a nudge towards the launcher's own.
for _v in DISPATCHD_KAFKA_CACHE DISPATCHD_KAFKA_STATE; do
  _n="KAFKA_LAB_${_v#DISPATCHD_KAFKA_}"
  if [[ -z "${!_n:-}" && -n "${!_v:-}" ]]; then
    printf '%s: %s is deprecated; set %s instead\n' "$PROG" "$_v" "$_n" >&2
  fi
done
unset _v _n
CACHE="${KAFKA_LAB_CACHE:-${DISPATCHD_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dispatchd/kafka-$KAFKA_VERSION}}"
STATE="${KAFKA_LAB_STATE:-${DISPATCHD_KAFKA_STATE:-${TMPDIR:-/tmp}/dispatchd-kafka}}"
STATE="${STATE%/}"
[[ "$STATE" == /* ]] || STATE="$PWD/$STATE"
[[ "$CACHE" == /* ]] || CACHE="$PWD/$CACHE"
WAIT_TIMEOUT="${KAFKA_LAB_WAIT_TIMEOUT:-${KAFKA_WAIT_TIMEOUT:-90}}"
STOP_TIMEOUT="${KAFKA_LAB_STOP_TIMEOUT:-${KAFKA_STOP_TIMEOUT:-20}}"
HEAP_OPTS="${KAFKA_LAB_HEAP_OPTS:-${KAFKA_HEAP_OPTS:-}}"
MVN="${KAFKA_LAB_MVN:-${MVN:-mvn}}"
JAVA="${KAFKA_LAB_JAVA:-${JAVA:-}}"
if [[ -n "$JAVA" ]]; then :
elif [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"
else JAVA=java
fi

log() { printf '%s\n' "$*"; }
err() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { err "$*"; exit 1; }

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
ms() { local t="${EPOCHREALTIME/[.,]/}"; echo $((10#$t / 1000)); }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

broker_port() { echo $((BROKER_PORT_BASE + $1)); }
controller_port() { echo $((CONTROLLER_PORT_BASE + $1)); }
node_dir() { echo "$STATE/node-$1"; }

# ---------------------------------------------------------------- jars ----

cache_stamp() { echo "$CACHE/.dispatchd-complete"; }

pom_digest() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$POM" | cut -d' ' -f1
  else cksum "$POM" | cut -d' ' -f1
  fi
}

# ensure_jars copies the broker's runtime classpath into $CACHE unless a stamp
# from an earlier successful copy of this very pom is there. Sets MAVEN_SECS.
MAVEN_SECS=""
ensure_jars() {
  local t0 digest out
  t0="$(now)"
  digest="$(pom_digest)"
  if [[ -f "$(cache_stamp)" ]] && [[ "$(cat "$(cache_stamp)")" == "$KAFKA_VERSION $digest" ]]; then
    MAVEN_SECS="cached"
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 || die "Maven ('$MVN') not found; it is needed once to fetch the Kafka $KAFKA_VERSION jars into $CACHE"
  log "Fetching Apache Kafka $KAFKA_VERSION jars with Maven into $CACHE ..."
  mkdir -p "$CACHE"
  rm -f "$(cache_stamp)" "$CACHE"/*.jar
  out="$(mktemp "${TMPDIR:-/tmp}/dispatchd-kafka-mvn.XXXXXX")"
  if ! "$MVN" -B -q -Dstyle.color=never -f "$POM" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$CACHE" >"$out" 2>&1; then
    err "Maven failed to fetch the Kafka $KAFKA_VERSION jars. Its output:"
    sed -e $'s/\x1b\\[[0-9;]*m//g' -e 's/^/  | /' "$out" >&2
    err "to see it all again: $MVN -B -f $POM dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$CACHE"
    rm -f "$out"
    exit 1
  fi
  rm -f "$out"
  ls "$CACHE"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 ||
    die "Maven succeeded but $CACHE has no kafka_2.13-$KAFKA_VERSION.jar"
  echo "$KAFKA_VERSION $digest" >"$(cache_stamp)"
  MAVEN_SECS="$(secs_since "$t0")"
  log "Fetched $(ls "$CACHE"/*.jar | wc -l) jars in ${MAVEN_SECS}s"
}

check_java() {
  local v major
  command -v "$JAVA" >/dev/null 2>&1 || die "java ('$JAVA') not found; Kafka $KAFKA_VERSION needs Java 17 or newer"
  v="$("$JAVA" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n1)"
  major="${v%%.*}"
  [[ "$major" == 1 ]] && major="$(echo "$v" | cut -d. -f2)"
  if [[ "$major" =~ ^[0-9]+$ ]] && ((major < 17)); then
    die "Kafka $KAFKA_VERSION needs Java 17 or newer; '$JAVA' is $v (set KAFKA_LAB_JAVA or JAVA_HOME)"
  fi
}

# run_tool CLASS ARGS... runs a Kafka command-line tool from the cache, in a
# small JVM tuned to start fast; at most 30 s.
run_tool() {
  timeout 30 "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$HERE/log4j2-tools.xml" \
    -cp "$CACHE/*" "$@"
}

# ----------------------------------------------------------- processes ----

# cmdline_of PID prints the process's command line, NULs as spaces.
cmdline_of() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true; }

# is_ours PID [NODE]: a live broker this script started (for NODE of $STATE).
is_ours() {
  local c
  c="$(cmdline_of "$1")"
  [[ -n "$c" && "$c" == *"$MARKER"* && "$c" == *" kafka.Kafka "* ]] || return 1
  [[ -z "${2:-}" ]] || [[ "$c" == *"$MARKER$STATE/node-$2 "* ]]
}

# pid_of NODE prints the pid of NODE's broker if it is alive and ours: the pid
# file is the fast path, the command-line marker the truth (a lost pid file
# does not hide a running broker).
pid_of() {
  local f pid
  f="$(node_dir "$1")/kafka.pid"
  pid="$(cat "$f" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && is_ours "$pid" "$1"; then echo "$pid"; return 0; fi
  for pid in $(strays); do
    if is_ours "$pid" "$1"; then echo "$pid"; return 0; fi
  done
  return 1
}

# strays prints pids of our brokers for this state dir, pid file or not.
strays() {
  local p
  for p in $({ grep -l -a -F -e "$MARKER$STATE/node-" /proc/[0-9]*/cmdline 2>/dev/null || true; } | cut -d/ -f3); do
    is_ours "$p" && echo "$p"
  done
  return 0
}

# listeners_on PORT prints the pids listening on TCP PORT (any address), or
# "?" for a listening socket whose owner cannot be seen. Reads /proc only.
listeners_on() {
  local port="$1" hex inode owners
  hex="$(printf '%04X' "$port")"
  for inode in $(awk -v h=":$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == h { print $10 }' \
      /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u); do
    owners="$({ find /proc/[0-9]*/fd -maxdepth 1 -lname "socket:\[$inode\]" 2>/dev/null || true; } | cut -d/ -f3 | sort -u)"
    if [[ -n "$owners" ]]; then echo "$owners"; else echo "?"; fi
  done | sort -u
}

# stop_pids PID... sends SIGTERM, waits up to $STOP_TIMEOUT s (or $GRACE when
# set: for processes whose data is thrown away next), then SIGKILLs.
stop_pids() {
  local pids=("$@") p alive deadline grace="${GRACE:-$STOP_TIMEOUT}"
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while :; do
    alive=()
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
    ((${#alive[@]})) || return 0
    if ((SECONDS >= deadline)); then
      err "pid(s) ${alive[*]} still running ${grace}s after SIGTERM: sending SIGKILL"
      kill -KILL "${alive[@]}" 2>/dev/null || true
      sleep 0.5
      return 0
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- state ----

# Read by load_state from $STATE/state.env.
MODE=""
NODES=0

load_state() {
  MODE=""
  NODES=0
  [[ -f "$STATE/state.env" ]] || return 1
  MODE="$(sed -n 's/^mode=//p' "$STATE/state.env")"
  NODES="$(sed -n 's/^nodes=//p' "$STATE/state.env")"
  [[ "$MODE" =~ ^(single|cluster)$ && "$NODES" =~ ^[1-9]$ ]] || { MODE=""; NODES=0; return 1; }
  # Keep using the jars the running cluster was started from.
  local c
  c="$(sed -n 's/^cache=//p' "$STATE/state.env")"
  if [[ -n "$c" && -f "$c/.dispatchd-complete" ]]; then CACHE="$c"; fi
}

# running_pids prints the live pids of the nodes recorded in the state.
running_pids() {
  local n
  for ((n = 1; n <= NODES; n++)); do pid_of "$n" || true; done
}

bootstrap() {
  local n s=""
  for ((n = 1; n <= $1; n++)); do s+="${s:+,}$HOST:$(broker_port "$n")"; done
  echo "$s"
}

# new_cluster_id prints a random Kafka cluster id: 16 random bytes, URL-safe
# base64 without padding (what `kafka-storage random-uuid` prints).
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ ${#id} == 22 && "$id" != -* && "$id" != AAAAAAAAAAAAAAAAAAAAA* ]] && { echo "$id"; return; }
  done
}

write_props() { # NODE NODES
  local n="$1" total="$2" voters="" i rf min_isr
  for ((i = 1; i <= total; i++)); do voters+="${voters:+,}$i@$HOST:$(controller_port "$i")"; done
  if ((total == 1)); then rf=1; min_isr=1; else rf=3; min_isr=2; fi
  mkdir -p "$(node_dir "$n")/data" "$(node_dir "$n")/logs"
  cat >"$(node_dir "$n")/server.properties" <<EOF
# Generated by deployments/kafka/kafka.sh for Kafka $KAFKA_VERSION; rewritten on every up.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://$HOST:$(broker_port "$n"),CONTROLLER://$HOST:$(controller_port "$n")
advertised.listeners=PLAINTEXT://$HOST:$(broker_port "$n")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$(node_dir "$n")/data

auto.create.topics.enable=true
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
EOF
  cat >"$STATE/probe.properties" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=8000
socket.connection.setup.timeout.ms=2000
socket.connection.setup.timeout.max.ms=2000
EOF
}

start_node() { # NODE NODES
  local n="$1" total="$2" dir heap
  dir="$(node_dir "$n")"
  if ((total == 1)); then heap="${HEAP_OPTS:--Xms256m -Xmx768m}"; else heap="${HEAP_OPTS:--Xms256m -Xmx512m}"; fi
  # setsid: the broker outlives the shell (and Ctrl-C) that started it; its
  # output goes to a file so no caller's pipe stays open; fd 9 is our lock.
  local detach=nohup
  command -v setsid >/dev/null 2>&1 && detach=setsid
  # shellcheck disable=SC2086
  "$detach" "$JAVA" $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true "$MARKER$dir" \
    -Dkafka.logs.dir="$dir/logs" -Dlog4j2.configurationFile="$HERE/log4j2-broker.xml" \
    -cp "$CACHE/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >>"$dir/stdout.log" 2>&1 9>&- &
  echo $! >"$dir/kafka.pid"
}

show_node_logs() { # NODE
  local dir f
  dir="$(node_dir "$1")"
  for f in "$dir/stdout.log" "$dir/logs/server.log"; do
    [[ -s "$f" ]] || continue
    err "last lines of $f:"
    tail -n 25 "$f" | sed 's/^/  | /' >&2
  done
}

# answering BOOTSTRAP prints "id host:port" for every broker the cluster
# metadata lists that also answers ApiVersions itself (a real Kafka round
# trip, through org.apache.kafka.tools.BrokerApiVersionsCommand).
answering() {
  local out
  out="$(run_tool org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "$1" --command-config "$STATE/probe.properties" 2>/dev/null)" || true
  # Header lines look like: 127.0.0.1:19092 (id: 1 rack: null isFenced: false) -> (
  printf '%s\n' "$out" | sed -n 's/^\([^ ]*\) (id: \([0-9]*\) .*) -> ($/\2 \1/p'
}

# wait_ready NODES: until all NODES brokers answer, a node dies, or timeout.
wait_ready() {
  local total="$1" deadline n got t
  deadline=$((SECONDS + WAIT_TIMEOUT))
  while :; do
    for ((n = 1; n <= total; n++)); do
      if ! pid_of "$n" >/dev/null; then
        err "node $n (port $(broker_port "$n")) exited during startup"
        show_node_logs "$n"
        return 1
      fi
    done
    t="$(ms)"
    got="$(answering "$(bootstrap "$total")" | wc -l)"
    ((got >= total)) && return 0
    if ((SECONDS >= deadline)); then
      err "timed out after ${WAIT_TIMEOUT}s (KAFKA_LAB_WAIT_TIMEOUT) waiting for $total broker(s) to answer; $got did"
      for ((n = 1; n <= total; n++)); do show_node_logs "$n"; done
      return 1
    fi
    t=$((1000 - ($(ms) - t))) # poll about once a second
    ((t <= 0)) || sleep "$(printf '0.%03d' "$((t > 999 ? 999 : t))")"
  done
}

# ------------------------------------------------------------- commands ----

mode_name() { if [[ "$1" == single ]]; then echo "single node"; else echo "3-node cluster"; fi; }

print_ready() { # NODES
  local more=""
  (($1 == 1)) || more=" (and node-2 ... node-$1)"
  log "  logs:      $(node_dir 1)/logs/server.log$more"
  log "  state:     $STATE"
  log "  bootstrap: $(bootstrap "$1")"
  log "  export DISPATCHD_TEST_BROKERS=$(bootstrap "$1")"
}

# cleanup_leftovers: kill brokers of ours that hold our ports or belong to
# this state dir, then make sure no one else holds any port we need.
cleanup_leftovers() { # NODES
  local total="$1" n port p pids=() holders
  mapfile -t pids < <(strays)
  for ((n = 1; n <= total; n++)); do
    for port in "$(broker_port "$n")" "$(controller_port "$n")"; do
      for p in $(listeners_on "$port"); do
        [[ "$p" != "?" ]] && is_ours "$p" && pids+=("$p")
      done
    done
  done
  if ((${#pids[@]})); then
    mapfile -t pids < <(printf '%s\n' "${pids[@]}" | sort -u)
    log "Stopping leftover Kafka process(es) from an earlier run: ${pids[*]}"
    GRACE="${GRACE:-5}" stop_pids "${pids[@]}"
  fi
  for ((n = 1; n <= total; n++)); do
    for port in "$(broker_port "$n")" "$(controller_port "$n")"; do
      holders="$(listeners_on "$port" | tr '\n' ' ')"
      [[ -z "$holders" ]] && continue
      for p in $holders; do
        if [[ "$p" == "?" ]]; then
          die "port $port is already in use by a process this user cannot see; free it (ss -ltnp 'sport = :$port') and retry"
        fi
        die "port $port is already in use by pid $p ($(cmdline_of "$p" | cut -c1-120)), which is not a Kafka started by $PROG; stop it and retry"
      done
    done
  done
}

cmd_up() { # single|cluster
  local want="$1" total t0 t1 cid n pids running
  if [[ "$want" == single ]]; then total=1; else total=3; fi
  t0="$(now)"
  if load_state; then
    mapfile -t running < <(running_pids)
    if ((${#running[@]})); then
      if [[ "$MODE" != "$want" ]]; then
        err "a $(mode_name "$MODE") is running (pids ${running[*]}, $(bootstrap "$NODES")): run '$PROG down' first"
        exit 2
      fi
      if ((${#running[@]} == NODES)); then
        check_java
        ensure_jars
        if (($(answering "$(bootstrap "$NODES")" | wc -l) >= NODES)); then
          log "Kafka $KAFKA_VERSION ($(mode_name "$MODE")) is already running and answering (pids ${running[*]})"
          print_ready "$NODES"
          exit 0
        fi
        log "Kafka ($(mode_name "$MODE")) is running but not answering yet; waiting up to ${WAIT_TIMEOUT}s"
        if wait_ready "$NODES" 2>/dev/null; then
          log "Kafka $KAFKA_VERSION ($(mode_name "$MODE")) is running and answering (pids ${running[*]})"
          print_ready "$NODES"
          exit 0
        fi
        log "It never answered: replacing it"
      else
        log "Only ${#running[@]} of $NODES node(s) of the earlier $(mode_name "$MODE") are alive: replacing it"
      fi
      GRACE=5 stop_pids "${running[@]}" # its data is wiped next
    fi
  fi
  check_java
  ensure_jars
  cleanup_leftovers "$total"

  # A fresh cluster every time: leftover data is from a crashed or killed run.
  [[ -n "$STATE" && "$STATE" != / ]] || die "refusing to use state dir '$STATE'"
  rm -rf "$STATE"
  mkdir -p "$STATE"
  cid="$(new_cluster_id)"
  printf 'mode=%s\nnodes=%s\ncluster_id=%s\nkafka_version=%s\ncache=%s\n' \
    "$want" "$total" "$cid" "$KAFKA_VERSION" "$CACHE" >"$STATE/state.env"
  MODE="$want"
  NODES="$total"
  t1="$(now)"
  local fpids=()
  for ((n = 1; n <= total; n++)); do
    write_props "$n" "$total"
    run_tool kafka.tools.StorageTool format --cluster-id "$cid" --config "$(node_dir "$n")/server.properties" \
      >"$(node_dir "$n")/format.log" 2>&1 9>&- &
    fpids+=($!)
  done
  for ((n = 1; n <= total; n++)); do
    if ! wait "${fpids[n - 1]}"; then
      err "formatting node $n's storage failed:"
      sed 's/^/  | /' "$(node_dir "$n")/format.log" >&2
      exit 1
    fi
  done
  touch "$STATE/formatted"
  local format_secs
  format_secs="$(secs_since "$t1")"
  t1="$(now)"
  for ((n = 1; n <= total; n++)); do start_node "$n" "$total"; done
  log "Starting Kafka $KAFKA_VERSION ($(mode_name "$want"), cluster id $cid); waiting up to ${WAIT_TIMEOUT}s for $total broker(s) to answer ..."
  if ! wait_ready "$total"; then
    mapfile -t pids < <(running_pids)
    ((${#pids[@]} == 0)) || stop_pids "${pids[@]}"
    err "Kafka did not come up; stopped it and kept its logs in $STATE ('$PROG down' deletes them)"
    exit 1
  fi
  mapfile -t pids < <(running_pids)
  log "Kafka $KAFKA_VERSION is up ($(mode_name "$want"), pids ${pids[*]}) in $(secs_since "$t0")s" \
    "(maven: ${MAVEN_SECS}$([[ "$MAVEN_SECS" == cached ]] || echo s), format: ${format_secs}s, start until answering: $(secs_since "$t1")s)"
  print_ready "$total"
}

cmd_down() {
  local pids=() t0
  t0="$(now)"
  load_state || true
  mapfile -t pids < <({ running_pids; strays; } | sort -u)
  if ((${#pids[@]})); then
    log "Stopping Kafka ($( [[ -n "$MODE" ]] && mode_name "$MODE" || echo "leftover"), pids ${pids[*]}) ..."
    stop_pids "${pids[@]}"
  fi
  if [[ -d "$STATE" ]]; then
    [[ "$STATE" != / ]] || die "refusing to delete state dir '$STATE'"
    rm -rf "$STATE"
    if ((${#pids[@]})); then log "Stopped in $(secs_since "$t0")s; deleted $STATE"
    else log "Kafka was not running; deleted leftover state $STATE"
    fi
  elif ((${#pids[@]})); then
    log "Stopped in $(secs_since "$t0")s"
  else
    log "Kafka is not running (nothing in $STATE)"
  fi
}

cmd_restart() {
  local pids=() n t0 t1
  t0="$(now)"
  if ! load_state || [[ ! -f "$STATE/formatted" ]]; then
    err "nothing to restart: no Kafka state in $STATE; run '$PROG up' or '$PROG cluster-up'"
    exit 3
  fi
  check_java
  ensure_jars
  mapfile -t pids < <(running_pids)
  if ((${#pids[@]})); then
    log "Stopping Kafka ($(mode_name "$MODE"), pids ${pids[*]}), keeping its data ..."
    stop_pids "${pids[@]}"
  else
    log "Kafka ($(mode_name "$MODE")) was not running; starting it from its data in $STATE"
  fi
  local stop_secs
  stop_secs="$(secs_since "$t0")"
  cleanup_leftovers "$NODES"
  t1="$(now)"
  for ((n = 1; n <= NODES; n++)); do start_node "$n" "$NODES"; done
  if ! wait_ready "$NODES"; then
    mapfile -t pids < <(running_pids)
    ((${#pids[@]} == 0)) || stop_pids "${pids[@]}"
    err "Kafka did not come back; stopped it and kept its data and logs in $STATE ('$PROG down' deletes them)"
    exit 1
  fi
  mapfile -t pids < <(running_pids)
  log "Kafka $KAFKA_VERSION restarted ($(mode_name "$MODE"), pids ${pids[*]}) in $(secs_since "$t0")s (stop: ${stop_secs}s, start until answering: $(secs_since "$t1")s)"
  print_ready "$NODES"
}

cmd_status() {
  local n pid ok=0 answers=() line alive=0
  if ! load_state; then
    if [[ -d "$STATE" ]]; then log "Kafka is not running (incomplete state in $STATE; '$PROG down' removes it)"
    else log "Kafka is not running (no state in $STATE)"
    fi
    exit 3
  fi
  for ((n = 1; n <= NODES; n++)); do pid_of "$n" >/dev/null && alive=$((alive + 1)); done
  if ((alive == 0)); then
    log "Kafka is not running (leftover $(mode_name "$MODE") state in $STATE; '$PROG down' removes it)"
    exit 3
  fi
  local probed=1
  if [[ -f "$(cache_stamp)" ]]; then mapfile -t answers < <(answering "$(bootstrap "$NODES")")
  else probed=0
  fi
  log "mode:      $(mode_name "$MODE") (Kafka $KAFKA_VERSION, KRaft, cluster id $(sed -n 's/^cluster_id=//p' "$STATE/state.env"))"
  for ((n = 1; n <= NODES; n++)); do
    pid="$(pid_of "$n" || true)"
    line="node $n:    broker $HOST:$(broker_port "$n")  controller $HOST:$(controller_port "$n")  pid ${pid:-none}"
    if [[ -z "$pid" ]]; then line+="  NOT RUNNING"
    elif printf '%s\n' "${answers[@]}" | grep -qx "$n $HOST:$(broker_port "$n")"; then line+="  answering"; ok=$((ok + 1))
    elif ((probed == 0)); then line+="  (not probed: no Kafka jars in $CACHE)"
    else line+="  not answering"
    fi
    log "$line"
  done
  log "logs:      $STATE/node-*/logs/server.log"
  log "bootstrap: $(bootstrap "$NODES")"
  ((ok == NODES)) && exit 0
  exit 1
}

usage() {
  cat <<EOF
usage: $PROG up | cluster-up | down | restart | status | version

  up          one combined KRaft broker+controller: clients on $HOST:19092
  cluster-up  three combined nodes: clients on $HOST:19092,19093,19094
  down        stop whatever runs and delete its data
  restart     stop the running node(s), keep their data, start them again
  status      mode, pids, ports, whether each broker answers (exit 0 ok, 1 not all answering, 3 not running)
  version     print the pinned Kafka version ($KAFKA_VERSION)

state: $STATE  (KAFKA_LAB_STATE)
jars:  $CACHE  (KAFKA_LAB_CACHE)

Other settings: KAFKA_LAB_WAIT_TIMEOUT (s, default 90), KAFKA_LAB_STOP_TIMEOUT
(s, default 20), KAFKA_LAB_HEAP_OPTS, KAFKA_LAB_JAVA (else JAVA_HOME), KAFKA_LAB_MVN.
Deprecated, read when the new name is unset: DISPATCHD_KAFKA_STATE,
DISPATCHD_KAFKA_CACHE, KAFKA_WAIT_TIMEOUT, KAFKA_STOP_TIMEOUT, KAFKA_HEAP_OPTS,
JAVA, MVN.
EOF
}

# One command at a time per state dir (the lock lives beside it).
take_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  mkdir -p "$(dirname "$STATE")"
  exec 9>"$STATE.lock"
  if ! flock -n 9; then
    log "Another $PROG command is running on $STATE; waiting for it ..."
    flock -w 300 9 || die "gave up waiting for the lock on $STATE.lock"
  fi
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    up) take_lock; cmd_up single ;;
    cluster-up) take_lock; cmd_up cluster ;;
    down) take_lock; cmd_down ;;
    restart) take_lock; cmd_restart ;;
    status) cmd_status ;;
    version) echo "$KAFKA_VERSION" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
