#!/usr/bin/env bash
# Local Apache Kafka (KRaft, no ZooKeeper, no Docker) for development and the
# integration tests. The broker jars come from Maven Central through pom.xml
# beside this script; the Kafka version is pinned there and only there.
#
#   kafka.sh up          one combined broker+controller on 127.0.0.1:19092,
#                        plus SASL_SSL (SCRAM-SHA-512) on 19095 and SSL with
#                        required client certificates on 19096; the CA and
#                        client certificate are written to <state>/tls/
#   kafka.sh cluster-up  three combined nodes on 127.0.0.1:19092,19093,19094
#   kafka.sh down        stop whatever runs and delete its data
#   kafka.sh restart     stop and start the running node(s), keeping data
#   kafka.sh status      mode, pids, ports, whether each broker and secured
#                        listener answers, where the TLS files are (exit 0
#                        running and answering, 1 running but not all
#                        answering, 3 not running)
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
#   KAFKA_LAB_PORT_BASE     first broker port (default 19092): node n's broker listens on
#                           BASE+n-1, its controller on BASE+100+n-1, the single node's
#                           SASL_SSL and SSL on BASE+3 and BASE+4. A second launcher with
#                           its own KAFKA_LAB_STATE and a base at least 200 away (the chaos
#                           suite uses 19292) never touches the first one's ports.
#   KAFKA_LAB_HOST          the one address every listener binds to and advertises
#                           (default 127.0.0.1); the chaos suite uses an address a network
#                           namespace can reach too
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$HERE/pom.xml"
PROG="kafka.sh"

# Ports. Node n (1-based) listens for clients on BASE+n-1 and for the KRaft
# controller quorum on BASE+100+n-1 (BASE is KAFKA_LAB_PORT_BASE, 19092). The
# single node is node 1 of that same layout, so its controller port (19192)
# never clashes with a cluster broker port (19092-19094). Everything binds to
# KAFKA_LAB_HOST (127.0.0.1) only.
HOST="${KAFKA_LAB_HOST:-127.0.0.1}"
PORT_BASE="${KAFKA_LAB_PORT_BASE:-19092}"
[[ "$PORT_BASE" =~ ^[0-9]+$ ]] && ((PORT_BASE >= 1024 && PORT_BASE <= 65000)) ||
  { echo "kafka.sh: KAFKA_LAB_PORT_BASE must be a port between 1024 and 65000, not '$PORT_BASE'" >&2; exit 2; }
# set_ports derives every port from PORT_BASE (again, when load_state reads
# the base a running cluster was started with).
set_ports() {
  BROKER_PORT_BASE=$((PORT_BASE - 1))
  CONTROLLER_PORT_BASE=$((PORT_BASE + 99))
  SASL_SSL_PORT=$((PORT_BASE + 3))
  SSL_PORT=$((PORT_BASE + 4))
}
set_ports
MARKER="-Ddispatchd.kafka.node=" # on every broker's command line: "ours"

# The single node also has the secured listeners the tests use; the cluster
# stays plaintext (these ports sit next to its broker ports). Inter-broker
# and controller traffic stays PLAINTEXT. The certificates are made per run.
SCRAM_MECHANISM=SCRAM-SHA-512
SCRAM_USER=dispatchd
SCRAM_PASSWORD=dispatchd-secret

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
tls_dir() { echo "$STATE/tls"; }

# node_ports NODE NODES prints every port NODE listens on.
node_ports() {
  echo "$(broker_port "$1") $(controller_port "$1")"
  if (($2 == 1)); then echo "$SASL_SSL_PORT $SSL_PORT"; fi
}

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

# ----------------------------------------------------------------- tls ----

check_openssl() {
  command -v openssl >/dev/null 2>&1 ||
    die "openssl not found; 'up' needs it to make the certificates of the secured listeners (Debian/Ubuntu: apt-get install openssl)"
}

# ossl runs openssl, its chatter into tls/openssl.log, which is shown on failure.
ossl() {
  local logf
  logf="$(tls_dir)/openssl.log"
  openssl "$@" >>"$logf" 2>&1 && return 0
  err "openssl $1 failed:"
  sed 's/^/  | /' "$logf" >&2
  exit 1
}

# issue NAME SUBJECT EXTENSION... makes NAME-key.pem and NAME.pem, signed by the CA.
issue() {
  local d name="$1" subj="$2"
  d="$(tls_dir)"
  shift 2
  ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$name-key.pem"
  ossl req -new -key "$d/$name-key.pem" -subj "$subj" -out "$d/$name.csr"
  ossl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
    -set_serial "0x$(openssl rand -hex 16)" -days 365 -sha256 -out "$d/$name.pem" \
    -extfile <(printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" "$@")
  rm -f "$d/$name.csr"
}

# make_tls writes a fresh CA, a broker certificate (127.0.0.1 and localhost)
# and a client certificate (CN=dispatchd) to tls/ as PEM, plus ready-made
# Java client configs for both secured listeners. EC keys: well under a second.
make_tls() {
  local d mask
  d="$(tls_dir)"
  mask="$(umask)"
  umask 077 # private keys, and a password in the client configs
  mkdir -p "$d"
  ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/ca-key.pem"
  ossl req -x509 -new -key "$d/ca-key.pem" -sha256 -days 365 -subj "/CN=dispatchd kafka lab CA $(date -u +%Y%m%dT%H%M%SZ)" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$d/ca.pem"
  issue broker "/CN=localhost" "subjectAltName=IP:$HOST,DNS:localhost" "extendedKeyUsage=serverAuth"
  issue client "/CN=$SCRAM_USER" "extendedKeyUsage=clientAuth"
  # Kafka's PEM key stores: one file, unencrypted PKCS#8 key then certificate.
  cat "$d/broker-key.pem" "$d/broker.pem" >"$d/broker-keystore.pem"
  cat "$d/client-key.pem" "$d/client.pem" >"$d/client-keystore.pem"
  cat >"$d/client-sasl_ssl.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=$SCRAM_MECHANISM
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SCRAM_USER" password="$SCRAM_PASSWORD";
ssl.truststore.type=PEM
ssl.truststore.location=$d/ca.pem
EOF
  cat >"$d/client-ssl.properties" <<EOF
security.protocol=SSL
ssl.truststore.type=PEM
ssl.truststore.location=$d/ca.pem
ssl.keystore.type=PEM
ssl.keystore.location=$d/client-keystore.pem
EOF
  umask "$mask"
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

# Read by load_state from $STATE/state.env. SECURED=1: the secured listeners
# are configured (a state written before they existed has none).
MODE=""
NODES=0
SECURED=0

load_state() {
  MODE=""
  NODES=0
  SECURED=0
  [[ -f "$STATE/state.env" ]] || return 1
  MODE="$(sed -n 's/^mode=//p' "$STATE/state.env")"
  NODES="$(sed -n 's/^nodes=//p' "$STATE/state.env")"
  if [[ "$(sed -n 's/^secured=//p' "$STATE/state.env")" == 1 ]]; then SECURED=1; fi
  [[ "$MODE" =~ ^(single|cluster)$ && "$NODES" =~ ^[1-9]$ ]] || { MODE=""; NODES=0; return 1; }
  # Keep the address and ports the running cluster was started with.
  local b h
  b="$(sed -n 's/^port_base=//p' "$STATE/state.env")"
  h="$(sed -n 's/^host=//p' "$STATE/state.env")"
  if [[ "$b" =~ ^[0-9]+$ ]]; then PORT_BASE="$b"; set_ports; fi
  if [[ -n "$h" ]]; then HOST="$h"; fi
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
  local n="$1" total="$2" voters="" i rf min_isr plain secured="" d
  for ((i = 1; i <= total; i++)); do voters+="${voters:+,}$i@$HOST:$(controller_port "$i")"; done
  if ((total == 1)); then rf=1; min_isr=1; else rf=3; min_isr=2; fi
  plain="PLAINTEXT://$HOST:$(broker_port "$n")"
  if ((SECURED)); then secured=",SASL_SSL://$HOST:$SASL_SSL_PORT,SSL://$HOST:$SSL_PORT"; fi
  mkdir -p "$(node_dir "$n")/data" "$(node_dir "$n")/logs"
  cat >"$(node_dir "$n")/server.properties" <<EOF
# Generated by deployments/kafka/kafka.sh for Kafka $KAFKA_VERSION; rewritten on every up.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=$plain$secured,CONTROLLER://$HOST:$(controller_port "$n")
advertised.listeners=$plain$secured
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT
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
  ((SECURED)) || return 0
  d="$(tls_dir)"
  # Both secured listeners present the broker certificate; only SSL asks the
  # client for one. The SCRAM credential itself is stored by the format step.
  cat >>"$(node_dir "$n")/server.properties" <<EOF

ssl.keystore.type=PEM
ssl.keystore.location=$d/broker-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$d/ca.pem
listener.name.ssl.ssl.client.auth=required
listener.name.sasl_ssl.sasl.enabled.mechanisms=$SCRAM_MECHANISM
listener.name.sasl_ssl.${SCRAM_MECHANISM,,}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
EOF
  cat "$STATE/probe.properties" "$d/client-sasl_ssl.properties" >"$d/probe-sasl_ssl.properties"
  cat "$STATE/probe.properties" "$d/client-ssl.properties" >"$d/probe-ssl.properties"
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
  # Until setsid has exec'd java the pid shows another command line, so
  # pid_of misses it; node_gone, not pid_of, tells a dead node.
  echo $! >"$dir/kafka.pid"
}

# live PID: the process exists and is not a zombie.
live() {
  local st
  st="$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null || true)"
  [[ -n "$st" && "$st" != Z && "$st" != X ]]
}

# node_gone NODE: NODE's broker is not running. A pid that is alive but not
# yet java, or a broker that appears within half a second (setsid forked),
# still counts as starting.
node_gone() {
  local pid
  pid_of "$1" >/dev/null && return 1
  pid="$(cat "$(node_dir "$1")/kafka.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && live "$pid" && return 1
  sleep 0.5
  ! pid_of "$1" >/dev/null
}

show_node_logs() { # NODE
  local dir f
  dir="$(node_dir "$1")"
  local shown=0
  for f in "$dir/stdout.log" "$dir/logs/server.log"; do
    [[ -s "$f" ]] || continue
    err "last lines of $f:"
    tail -n 25 "$f" | sed 's/^/  | /' >&2
    shown=1
  done
  ((shown)) || err "node $1 wrote nothing to $dir/stdout.log or its server.log (killed before the JVM started?)"
}

# answering BOOTSTRAP [CONFIG] prints "id host:port" for every broker the
# cluster metadata lists that also answers ApiVersions itself (a real Kafka
# round trip, through org.apache.kafka.tools.BrokerApiVersionsCommand).
answering() {
  local out
  out="$(run_tool org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "$1" --command-config "${2:-$STATE/probe.properties}" 2>/dev/null)" || true
  # Header lines look like: 127.0.0.1:19092 (id: 1 rack: null isFenced: false) -> (
  printf '%s\n' "$out" | sed -n 's/^\([^ ]*\) (id: \([0-9]*\) .*) -> ($/\2 \1/p'
}

# secured_answering prints sasl_ssl and/or ssl for each secured listener that
# answers a real request, SCRAM login or client certificate included. The two
# probes run at once (waiting on their pids: the brokers are children too).
secured_answering() {
  local d tmp p1 p2
  d="$(tls_dir)"
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/kafka-lab-probe.XXXXXX")"
  answering "$HOST:$SASL_SSL_PORT" "$d/probe-sasl_ssl.properties" >"$tmp/sasl_ssl" 9>&- &
  p1=$!
  answering "$HOST:$SSL_PORT" "$d/probe-ssl.properties" >"$tmp/ssl" 9>&- &
  p2=$!
  wait "$p1" "$p2" || true
  if grep -qx "1 $HOST:$SASL_SSL_PORT" "$tmp/sasl_ssl"; then echo sasl_ssl; fi
  if grep -qx "1 $HOST:$SSL_PORT" "$tmp/ssl"; then echo ssl; fi
  rm -rf "$tmp"
}

# wait_ready NODES: until all NODES brokers answer, then both secured
# listeners if configured; or a node dies, or timeout. Sets SECURED_SECS.
SECURED_T0=""
SECURED_SECS=""
wait_ready() {
  local total="$1" deadline n got t phase=plaintext
  deadline=$((SECONDS + WAIT_TIMEOUT))
  while :; do
    for ((n = 1; n <= total; n++)); do
      if node_gone "$n"; then
        err "node $n (port $(broker_port "$n")) exited during startup"
        show_node_logs "$n"
        return 1
      fi
    done
    t="$(ms)"
    if [[ "$phase" == plaintext ]]; then
      got="$(answering "$(bootstrap "$total")" | wc -l)"
      if ((got >= total)); then
        ((SECURED)) || return 0
        phase=secured
        SECURED_T0="$(now)"
        continue
      fi
    else
      got="$(secured_answering | wc -l)"
      if ((got >= 2)); then SECURED_SECS="$(secs_since "$SECURED_T0")"; return 0; fi
    fi
    if ((SECONDS >= deadline)); then
      if [[ "$phase" == plaintext ]]; then
        err "timed out after ${WAIT_TIMEOUT}s (KAFKA_LAB_WAIT_TIMEOUT) waiting for $total broker(s) to answer; $got did"
      else
        err "timed out after ${WAIT_TIMEOUT}s (KAFKA_LAB_WAIT_TIMEOUT) waiting for SASL_SSL ($SASL_SSL_PORT) and SSL ($SSL_PORT) to answer; $got of 2 did"
      fi
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
  if ((SECURED)); then
    log "  sasl_ssl:  $HOST:$SASL_SSL_PORT ($SCRAM_MECHANISM, user $SCRAM_USER, password $SCRAM_PASSWORD)"
    log "  ssl:       $HOST:$SSL_PORT (client certificate required)"
    log "  tls:       $(tls_dir)/{ca.pem,client.pem,client-key.pem}"
  fi
  log "  export DISPATCHD_TEST_BROKERS=$(bootstrap "$1")"
}

# all_answering NODES: every broker answers, and both secured listeners if any.
all_answering() {
  (($(answering "$(bootstrap "$1")" | wc -l) >= $1)) || return 1
  ((SECURED == 0)) || (($(secured_answering | wc -l) == 2))
}

# cleanup_leftovers: kill brokers of ours that hold our ports or belong to
# this state dir, then make sure no one else holds any port we need.
cleanup_leftovers() { # NODES
  local total="$1" n port p pids=() holders
  mapfile -t pids < <(strays)
  for ((n = 1; n <= total; n++)); do
    for port in $(node_ports "$n" "$total"); do
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
    for port in $(node_ports "$n" "$total"); do
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
      if [[ "$MODE" == single ]] && ((SECURED == 0)); then
        log "The running single node has no secured listeners (an older $PROG started it): replacing it"
      elif ((${#running[@]} == NODES)); then
        check_java
        ensure_jars
        if all_answering "$NODES"; then
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
  SECURED=0
  if [[ "$want" == single ]]; then SECURED=1; fi
  check_java
  ((SECURED == 0)) || check_openssl
  ensure_jars
  cleanup_leftovers "$total"

  # A fresh cluster every time: leftover data is from a crashed or killed run.
  [[ -n "$STATE" && "$STATE" != / ]] || die "refusing to use state dir '$STATE'"
  rm -rf "$STATE"
  mkdir -p "$STATE"
  cid="$(new_cluster_id)"
  printf 'mode=%s\nnodes=%s\ncluster_id=%s\nkafka_version=%s\ncache=%s\nsecured=%s\nport_base=%s\nhost=%s\n' \
    "$want" "$total" "$cid" "$KAFKA_VERSION" "$CACHE" "$SECURED" "$PORT_BASE" "$HOST" >"$STATE/state.env"
  MODE="$want"
  NODES="$total"
  t1="$(now)"
  local fpids=() scram=() tls_secs=""
  if ((SECURED)); then
    make_tls
    tls_secs=", tls: $(secs_since "$t1")s"
    t1="$(now)"
    # KRaft keeps SCRAM credentials in the metadata log: seed it at format.
    scram=(--add-scram "$SCRAM_MECHANISM=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]")
  fi
  for ((n = 1; n <= total; n++)); do
    write_props "$n" "$total"
    run_tool kafka.tools.StorageTool format --cluster-id "$cid" --config "$(node_dir "$n")/server.properties" \
      "${scram[@]}" >"$(node_dir "$n")/format.log" 2>&1 9>&- &
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
  log "Starting Kafka $KAFKA_VERSION ($(mode_name "$want"), cluster id $cid); waiting up to ${WAIT_TIMEOUT}s for $total broker(s)$( ((SECURED == 0)) || echo " and the secured listeners") to answer ..."
  if ! wait_ready "$total"; then
    mapfile -t pids < <(running_pids)
    ((${#pids[@]} == 0)) || stop_pids "${pids[@]}"
    err "Kafka did not come up; stopped it and kept its logs in $STATE ('$PROG down' deletes them)"
    exit 1
  fi
  mapfile -t pids < <(running_pids)
  log "Kafka $KAFKA_VERSION is up ($(mode_name "$want"), pids ${pids[*]}) in $(secs_since "$t0")s" \
    "(maven: ${MAVEN_SECS}$([[ "$MAVEN_SECS" == cached ]] || echo s)$tls_secs, format: ${format_secs}s, start until answering: $(secs_since "$t1")s${SECURED_SECS:+, secured listeners: ${SECURED_SECS}s of it})"
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
  local probed=1 secured=() tmp="" sp=""
  if [[ -f "$(cache_stamp)" ]]; then
    if ((SECURED)); then
      tmp="$(mktemp "${TMPDIR:-/tmp}/kafka-lab-status.XXXXXX")"
      secured_answering >"$tmp" &
      sp=$!
    fi
    mapfile -t answers < <(answering "$(bootstrap "$NODES")")
    if [[ -n "$sp" ]]; then
      wait "$sp" || true
      mapfile -t secured <"$tmp"
      rm -f "$tmp"
    fi
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
  local want=$NODES kind port what
  if ((SECURED)); then
    want=$((NODES + 2))
    for kind in sasl_ssl ssl; do
      if [[ "$kind" == sasl_ssl ]]; then port=$SASL_SSL_PORT what="$SCRAM_MECHANISM user $SCRAM_USER password $SCRAM_PASSWORD"
      else port=$SSL_PORT what="client certificate required"
      fi
      line="$(printf '%-10s %s:%s  %s' "$kind:" "$HOST" "$port" "$what")"
      if printf '%s\n' "${secured[@]}" | grep -qx "$kind"; then line+="  answering"; ok=$((ok + 1))
      elif ((probed == 0)); then line+="  (not probed)"
      else line+="  not answering"
      fi
      log "$line"
    done
    log "tls:       $(tls_dir)/{ca.pem,client.pem,client-key.pem} (Java clients: client-sasl_ssl.properties, client-ssl.properties)"
  fi
  log "logs:      $STATE/node-*/logs/server.log"
  log "bootstrap: $(bootstrap "$NODES")"
  ((ok == want)) && exit 0
  exit 1
}

usage() {
  cat <<EOF
usage: $PROG up | cluster-up | down | restart | status | version

  up          one combined KRaft broker+controller: clients on $HOST:$(broker_port 1) (PLAINTEXT),
              $SASL_SSL_PORT (SASL_SSL, $SCRAM_MECHANISM, $SCRAM_USER/$SCRAM_PASSWORD) and $SSL_PORT (SSL,
              client certificate required); CA and client certificate in $STATE/tls/
  cluster-up  three combined nodes: clients on $(bootstrap 3) (PLAINTEXT only)
  down        stop whatever runs and delete its data
  restart     stop the running node(s), keep their data, start them again
  status      mode, pids, ports, whether each broker and secured listener answers, where the
              TLS files are (exit 0 ok, 1 not all answering, 3 not running)
  version     print the pinned Kafka version ($KAFKA_VERSION)

state: $STATE  (KAFKA_LAB_STATE)
jars:  $CACHE  (KAFKA_LAB_CACHE)

Other settings: KAFKA_LAB_WAIT_TIMEOUT (s, default 90), KAFKA_LAB_STOP_TIMEOUT
(s, default 20), KAFKA_LAB_HEAP_OPTS, KAFKA_LAB_JAVA (else JAVA_HOME), KAFKA_LAB_MVN,
KAFKA_LAB_PORT_BASE (first broker port, default 19092), KAFKA_LAB_HOST (default 127.0.0.1).
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
