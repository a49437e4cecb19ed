#!/usr/bin/env bash
# Side-by-side benchmark: direct to the origin, through the sidecar, through nginx and through HAProxy, in
# alternating rounds, with wrk. Prints a markdown table (also written to --out) and the sidecar's RSS and CPU.
#
#   loadtest/bench/run.sh [--duration S] [--rounds N] [--conns "16 64 256"] [--sizes "1k 100k"]
#                         [--sidecar NAME=CONFIG]... [--sidecar-opts NAME=OPTS]... [--floor] [--pinned] [--wire] [--close] [--out FILE] [--quick]
#
#   --duration S   seconds per wrk cell (default 10; --quick = 5)
#   --rounds N     alternating rounds (default 2); each round runs every cell once, the target order
#                  rotates from round to round; the table shows medians over rounds and the median of the
#                  per-round ratios to nginx (same round, same size, same concurrency)
#   --warmup S     unrecorded load per target before round 1 (default 3; sidecar JVMs get --jvm-warmup S,
#                  default 30: C2 needs about that long on one contended core before the JVM reaches steady state)
#   --jvm-churn N  then N one-second wrk -c256 bursts per JVM target (default 40, 10 240 new connections): the
#                  code that sets up a connection runs once per connection, so a JVM warmed only by long-lived
#                  connections still interprets it; 256 connections at once then queue behind it for up to 200 ms
#                  and wrk's p99 at c=256 shows that instead of the steady state
#   --objects N    after the rounds, fill each sidecar's cache with N distinct 1 KiB objects and report its RSS
#                  under wrk -c256 over those objects (default 10000; 0 skips the memory phase)
#   --sidecar-opts NAME=OPTS  extra JVM flags for sidecar NAME only, e.g. two sidecars on the same config that differ
#                  in one property: --sidecar a=C --sidecar b=C --sidecar-opts b=-Dio.netty.allocator.lowMemory=true
#   --floor        also measure the two floors under the sidecar's numbers, on the proxies' cores, an event loop per core:
#                  floor/NettyFloorRelay.java (row netty-floor), a featureless relay on Netty's HTTP codec, and
#                  floor/RawFloorRelay.java (row raw-floor), one that forwards bytes without HTTP message objects
#   --sidecar      a sidecar config to measure (repeatable; default sidecar=loadtest/bench/sidecar-bench.yaml).
#                  The config must take its addresses from ${LT_LISTEN}, ${LT_ADMIN}, ${LT_ORIGIN} and route
#                  /1k, /100k to the origin and /cached/<x> to the origin's /<x> (see sidecar-bench.yaml).
#   --pinned       pin every proxy to cpu 0 and wrk + origin to cpu 1 (PROXY_CPUS=0 LOAD_CPUS=1). The default layout
#                  lets every process (wrk, origin, proxy) share all cores, as in issue #7's setting (nginx as a
#                  proxy does about half the direct rate), so a proxy's CPU per request sets its rate. Pinned, the
#                  load side's core is the bottleneck: every proxy is capped near the direct rate and the ratios to
#                  nginx are squeezed towards 1
#   --wire         also time each exchange at the target's own socket: tcpdump on loopback records the middle half
#                  of every cell, and the table gets the p50/p99 from a request's first packet arriving at the
#                  target to its response's first packet leaving it. wrk's p99 also holds the time wrk's own thread
#                  waits for a core; on a saturated machine that dominates at c=256, for every proxy alike, and
#                  comes in some runs and not others. The socket view shows what the proxy itself adds (tcpdump
#                  takes some CPU, the same per request for every target)
#   --close        every measured request asks for Connection: close, so wrk opens a new connection per request:
#                  what connection set-up costs each proxy (clients without keep-alive, health checkers)
#   env PROXY_CPUS (default: all)  cores of every proxy under test (nginx, HAProxy, the sidecar JVM, the floors);
#                               nginx workers, HAProxy threads and the floors' event loops are as many as these cores
#   env LOAD_CPUS  (default: all)  cores of wrk and of the origin
#   env SIDECAR_JAVA_OPTS       JVM flags (default as bin/sidecar: -XX:+UseParallelGC -Xms32m -Xmx160m -XX:MaxNewSize=40m -XX:MaxDirectMemorySize=384m)
#   env KEEP_WORKDIR=1          keep the generated configs and logs under /tmp
#
# Everything listens on 127.0.0.1, ports 27080-27299. Every process started here is killed on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"   # BENCH_FLOOR_NETTY_OPTS and bench_haproxy_cfg (its other helpers are for the smaller scripts)
root="$(cd "$here/../.." && pwd)"

duration=10
rounds=2
warmup=3
jvm_warmup=30
jvm_churn=40
conns="16 64 256"
sizes="1k 100k"
objects=10000
floor=0
wire=0
declare -a wrk_headers=()
out="$here/results/latest.md"
declare -a sidecar_names=() sidecar_configs=()
declare -A sidecar_extra_opts=()
all_cpus="0-$(( $(nproc) - 1 ))"
PROXY_CPUS="${PROXY_CPUS:-$all_cpus}"
LOAD_CPUS="${LOAD_CPUS:-$all_cpus}"
SIDECAR_JAVA_OPTS="${SIDECAR_JAVA_OPTS:--XX:+UseParallelGC -Xms32m -Xmx160m -XX:MaxNewSize=40m -XX:MaxDirectMemorySize=384m}"
cmdline="loadtest/bench/run.sh $*"

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --conns) conns="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --quick) duration=5; shift ;;
    --close) wrk_headers=(-H "Connection: close"); shift ;;
    --warmup) warmup="$2"; shift 2 ;;
    --jvm-warmup) jvm_warmup="$2"; shift 2 ;;
    --jvm-churn) jvm_churn="$2"; shift 2 ;;
    --objects) objects="$2"; shift 2 ;;
    --sidecar)
      sidecar_names+=("${2%%=*}"); sidecar_configs+=("$(cd "$(dirname "${2#*=}")" && pwd)/$(basename "${2#*=}")"); shift 2 ;;
    --sidecar-opts) sidecar_extra_opts["${2%%=*}"]="${2#*=}"; shift 2 ;;
    --floor) floor=1; shift ;;
    --pinned) PROXY_CPUS=0; LOAD_CPUS=1; shift ;;
    --wire) wire=1; shift ;;
    -h|--help) sed -n '2,47p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ ${#sidecar_names[@]} -eq 0 ]; then sidecar_names=(sidecar); sidecar_configs=("$here/sidecar-bench.yaml"); fi
[[ "$duration" =~ ^[0-9]+$ && "$duration" -ge 1 && "$duration" -le 300 ]] || { echo "--duration must be 1..300" >&2; exit 2; }
[[ "$rounds" =~ ^[0-9]+$ && "$rounds" -ge 1 && "$rounds" -le 10 ]] || { echo "--rounds must be 1..10" >&2; exit 2; }

ORIGIN_PORT=27080
NGINX_PORT=27081
HAPROXY_PORT=27082
FLOOR_PORT=27083
RAW_FLOOR_PORT=27084
SIDECAR_PORT_BASE=27100
ADMIN_PORT_BASE=27200

# ---------------------------------------------------------------- tools
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v haproxy >/dev/null || need+=(haproxy)
command -v wrk >/dev/null || need+=(wrk)
command -v taskset >/dev/null || need+=(util-linux)
[ "$wire" = 1 ] && { command -v tcpdump >/dev/null || need+=(tcpdump); }
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
jar="$root/sidecar/target/sidecar.jar"
if [ ! -f "$jar" ]; then
  echo "building $jar ..." >&2
  (cd "$root" && ./mvnw -B -q -DskipTests package -pl sidecar -am) >&2
fi

# ---------------------------------------------------------------- bookkeeping, cleanup
work="$(mktemp -d /tmp/loadtest-bench.XXXXXX)"
# Run a private copy: another build replacing sidecar/target/sidecar.jar mid-run must not break the JVMs here.
cp "$jar" "$work/sidecar.jar"
jar_copy="$work/sidecar.jar"
# Launch the sidecar as bin/sidecar does: with an AppCDS archive recorded from a warm-up run of this very jar,
# so the ready-to-serve time below is the one users get (SIDECAR_CDS=0 measures a plain java -jar).
cds_opts=""
if [ "${SIDECAR_CDS:-1}" = "1" ]; then
  # shellcheck disable=SC2086
  java $SIDECAR_JAVA_OPTS -XX:ArchiveClassesAtExit="$work/sidecar.jsa" -jar "$jar_copy" warmup >/dev/null 2>&1 || true
  [ -f "$work/sidecar.jsa" ] && cds_opts="-XX:SharedArchiveFile=$work/sidecar.jsa -Xshare:auto"
fi
declare -a started=()
cleanup() {
  local pid
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${started[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "configs and logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for port in $ORIGIN_PORT $NGINX_PORT $HAPROXY_PORT $FLOOR_PORT $RAW_FLOOR_PORT; do
  if ss -ltnH "sport = :$port" | grep -q .; then echo "port $port is in use" >&2; exit 1; fi
done
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true

# cells: pass-through and cache-hit rows per target x size x concurrency
n_sidecars=${#sidecar_names[@]}
n_conns=$(wc -w <<<"$conns")
n_sizes=$(wc -w <<<"$sizes")
cells_per_round=$(( (3 + 2 * floor + n_sidecars) * n_conns * n_sizes + (1 + n_sidecars) * n_conns * n_sizes ))
total=$(( rounds * cells_per_round * (duration + 1) + 4 * (warmup + 1) + (2 * n_sidecars + 2 * floor) * (jvm_warmup + 1) \
  + (n_sidecars + 2 * floor) * jvm_churn + 15 ))
echo "benchmark: $rounds round(s) x $cells_per_round cells x ${duration}s; total about ${total}s ($(( (total + 59) / 60 )) min)" >&2
proxy_workers=$(taskset -c "$PROXY_CPUS" nproc)
echo "pinning: proxies on cpu $PROXY_CPUS ($proxy_workers worker(s) each), wrk and origin on cpu $LOAD_CPUS; workdir $work" >&2

# ---------------------------------------------------------------- origin (nginx, 1 worker)
mkdir -p "$work/origin/html" "$work/origin/logs" "$work/proxy/logs" "$work/proxy/cache" "$work/haproxy"
head -c 1024 /dev/zero | tr '\0' 'a' >"$work/origin/html/1k"
head -c 102400 /dev/zero | tr '\0' 'b' >"$work/origin/html/100k"
cat >"$work/origin/nginx.conf" <<EOF
worker_processes 1;
user root;
daemon off;
master_process on;
pid $work/origin/nginx.pid;
error_log $work/origin/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 60s; keepalive_requests 10000000;
  open_file_cache max=100 inactive=60s;
  default_type text/plain;
  server {
    listen 127.0.0.1:$ORIGIN_PORT reuseport backlog=4096;
    root $work/origin/html;
    location / { expires 1h; }
  }
}
EOF
taskset -c "$LOAD_CPUS" nginx -p "$work/origin" -c "$work/origin/nginx.conf" &
started+=($!); origin_pid=$!

# ---------------------------------------------------------------- nginx reverse proxy (a worker per proxy core, upstream keepalive)
cat >"$work/proxy/nginx.conf" <<EOF
worker_processes $proxy_workers;
user root;
daemon off;
master_process on;
pid $work/proxy/nginx.pid;
error_log $work/proxy/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  tcp_nodelay on;
  keepalive_timeout 60s; keepalive_requests 10000000;
  proxy_cache_path $work/proxy/cache levels=1:2 keys_zone=bench:10m max_size=256m inactive=10m use_temp_path=off;
  upstream origin {
    server 127.0.0.1:$ORIGIN_PORT;
    keepalive 256;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport backlog=4096;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_buffering on;
    location /cached/ {
      proxy_pass http://origin/;
      proxy_cache bench;
      proxy_cache_valid 200 10m;
      add_header X-Cache-Status \$upstream_cache_status;
    }
    location / { proxy_pass http://origin; }
  }
}
EOF
taskset -c "$PROXY_CPUS" nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" &
started+=($!); nginx_pid=$!

# ---------------------------------------------------------------- HAProxy (a thread per proxy core, http mode, keep-alive both sides)
bench_haproxy_cfg "$work/haproxy/haproxy.cfg" "$HAPROXY_PORT" "$ORIGIN_PORT" "$proxy_workers"
taskset -c "$PROXY_CPUS" haproxy -db -f "$work/haproxy/haproxy.cfg" >"$work/haproxy/haproxy.log" 2>&1 &
started+=($!); haproxy_pid=$!

wait_http() {  # url [tries, 0.1 s apart; default 100]
  for _ in $(seq 1 "${2:-100}"); do curl -fsS -m 2 -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "$1 did not answer" >&2; exit 1
}
wait_http "http://127.0.0.1:$ORIGIN_PORT/1k"
wait_http "http://127.0.0.1:$NGINX_PORT/1k"
wait_http "http://127.0.0.1:$HAPROXY_PORT/1k"

# ---------------------------------------------------------------- the JVM floors (--floor): no features
floor_pid=""
raw_floor_pid=""
if [ "$floor" = 1 ]; then
  # shellcheck disable=SC2086
  taskset -c "$PROXY_CPUS" java $SIDECAR_JAVA_OPTS $BENCH_FLOOR_NETTY_OPTS -cp "$jar_copy" \
    "$here/floor/NettyFloorRelay.java" "$FLOOR_PORT" "127.0.0.1:$ORIGIN_PORT" >"$work/floor.log" 2>&1 &
  started+=($!); floor_pid=$!
  # shellcheck disable=SC2086
  taskset -c "$PROXY_CPUS" java $SIDECAR_JAVA_OPTS $BENCH_FLOOR_NETTY_OPTS -cp "$jar_copy" \
    "$here/floor/RawFloorRelay.java" "$RAW_FLOOR_PORT" "127.0.0.1:$ORIGIN_PORT" >"$work/raw-floor.log" 2>&1 &
  started+=($!); raw_floor_pid=$!
  wait_http "http://127.0.0.1:$FLOOR_PORT/1k" 300  # the JDK compiles the source file first
  wait_http "http://127.0.0.1:$RAW_FLOOR_PORT/1k" 300
fi

# ---------------------------------------------------------------- sidecars (one JVM each, on the proxies' cores)
declare -a sidecar_pids=() sidecar_ports=() sidecar_ready_ms=() sidecar_logs=()
# wait_quiet: returns once the machine's CPUs were at least 90 % idle over half a second (at most 10 s), so a
# sidecar's ready time is its own start-up and not the JIT work of a JVM launched just before it (the floors, the
# previous sidecar), which on two cores took a few hundred ms more
wait_quiet() {
  local a b
  for _ in $(seq 1 20); do
    a=($(head -1 /proc/stat)); sleep 0.5; b=($(head -1 /proc/stat))
    local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]) - (a[1]+a[2]+a[3]+a[6]+a[7]) ))
    local idle=$(( (b[4]+b[5]) - (a[4]+a[5]) ))
    [ $(( idle * 10 )) -ge $(( (busy + idle) * 9 )) ] && return 0
  done
}

# answers_200 PORT PATH: one GET over bash's /dev/tcp. Polling a starting JVM this way spawns no process, where a
# curl every 20 ms took a share of the two cores the JVM needs to start (with wait_quiet: 732 / 758 ms ready in a
# quick run, against 832 / 1 007 ms in the full run before both)
answers_200() {
  local fd line
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd"
  IFS= read -r -t 2 line <&"$fd" || true
  exec {fd}>&-
  [[ "$line" == "HTTP/1.1 200"* ]]
}

for i in "${!sidecar_names[@]}"; do
  port=$((SIDECAR_PORT_BASE + i)); admin=$((ADMIN_PORT_BASE + i))
  wait_quiet
  for p in $port $admin; do
    if ss -ltnH "sport = :$p" | grep -q .; then echo "port $p is in use" >&2; exit 1; fi
  done
  log="$work/sidecar-${sidecar_names[$i]}.log"
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  LT_LISTEN="127.0.0.1:$port" LT_ADMIN="127.0.0.1:$admin" LT_ORIGIN="127.0.0.1:$ORIGIN_PORT" \
    SIDECAR_ADMIN_TOKEN="${SIDECAR_ADMIN_TOKEN:-loadtest-token}" \
    taskset -c "$PROXY_CPUS" java $SIDECAR_JAVA_OPTS ${sidecar_extra_opts[${sidecar_names[$i]}]:-} $cds_opts \
      -jar "$jar_copy" run --config "${sidecar_configs[$i]}" >"$log" 2>&1 &
  pid=$!
  started+=($pid); sidecar_pids+=($pid); sidecar_ports+=($port); sidecar_logs+=("$log")
  ready=""
  for _ in $(seq 1 1500); do  # at most 30 s, polled every 20 ms so the ready time is not rounded up by the poll
    if answers_200 "$port" /1k; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  if [ -z "$ready" ]; then echo "sidecar ${sidecar_names[$i]} did not serve /1k within 30 s:" >&2; tail -20 "$log" >&2; exit 1; fi
  sidecar_ready_ms+=($(( ($(date +%s%N) - t0) / 1000000 )))
done


# A response carries proof that a cache answered it: nginx's X-Cache-Status, the sidecar's x-cache (cache-layer)
# or an Age header (RFC 9111 section 5.1: a cache adds Age to a response served from storage).
served_from_cache() {  # url
  curl -fsS -m 2 -o /dev/null "$1" >/dev/null 2>&1 || return 1
  curl -fsS -m 2 -D - -o /dev/null "$1" 2>/dev/null | tr -d '\r' | grep -qiE '^(x-cache-status: *hit|x-cache: *hit|age: *[0-9]+)'
}

# targets: name|kind|url-path-prefix|port|pids-for-cpu
declare -a targets=()
targets+=("direct|pass|127.0.0.1:$ORIGIN_PORT|origin")
for i in "${!sidecar_names[@]}"; do targets+=("${sidecar_names[$i]}|pass|127.0.0.1:${sidecar_ports[$i]}|sidecar:$i"); done
[ "$floor" = 1 ] && targets+=("netty-floor|pass|127.0.0.1:$FLOOR_PORT|floor" "raw-floor|pass|127.0.0.1:$RAW_FLOOR_PORT|raw-floor")
targets+=("nginx|pass|127.0.0.1:$NGINX_PORT|nginx")
targets+=("haproxy|pass|127.0.0.1:$HAPROXY_PORT|haproxy")
declare -a cache_targets=()
if served_from_cache "http://127.0.0.1:$NGINX_PORT/cached/1k"; then cache_targets+=("nginx-cache|cache|127.0.0.1:$NGINX_PORT|nginx"); fi
declare -a cache_na=()
for i in "${!sidecar_names[@]}"; do
  if served_from_cache "http://127.0.0.1:${sidecar_ports[$i]}/cached/1k"; then
    cache_targets+=("${sidecar_names[$i]}-cache|cache|127.0.0.1:${sidecar_ports[$i]}|sidecar:$i")
  else
    cache_na+=("${sidecar_names[$i]}-cache")
  fi
done

pids_of() {  # role -> pids whose CPU time counts for that target
  case "$1" in
    origin) echo "$origin_pid $(pgrep -P "$origin_pid" | tr '\n' ' ')" ;;
    nginx) echo "$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')" ;;
    haproxy) echo "$haproxy_pid" ;;
    floor) echo "$floor_pid" ;;
    raw-floor) echo "$raw_floor_pid" ;;
    sidecar:*) echo "${sidecar_pids[${1#sidecar:}]}" ;;
  esac
}
cpu_ticks() {  # pids... -> utime+stime in clock ticks (fields 14, 15 of /proc/PID/stat)
  local sum=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    sum=$(( sum + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}') ))
  done
  echo "$sum"
}
hz=$(getconf CLK_TCK)

to_ms() {  # wrk latency like 812.00us, 1.23ms, 2.01s -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.3f", n }'
}

# Latency at a target's socket from a loopback capture of its port (packets with payload only): for each client
# connection, from the first packet of a request arriving to the first packet of the response leaving.
# Prints "p50 p99" in ms, or "- -" without samples.
socket_latency() {  # pcap port
  tcpdump -r "$1" -nn -tt 2>/dev/null | awk -v port="$2" '
    { src = $3; dst = $5; sub(/:$/, "", dst); sp = src; dp = dst; sub(/.*\./, "", sp); sub(/.*\./, "", dp)
      if (dp == port) { if (!(src in pending)) pending[src] = $1 }
      else if (sp == port && (dst in pending)) { printf "%.6f\n", ($1 - pending[dst]) * 1000; delete pending[dst] } }' \
    | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "- -"; else printf "%.3f %.3f\n", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }'
}

raw="$work/raw.tsv"
: >"$raw"
run_cell() {  # round target kind hostport role size conns
  local round=$1 name=$2 kind=$3 hostport=$4 role=$5 size=$6 c=$7
  local path="/$size"; [ "$kind" = cache ] && path="/cached/$size"
  local pids; pids=$(pids_of "$role")
  # shellcheck disable=SC2086
  local before; before=$(cpu_ticks $pids)
  local text capture="" capturer=""
  if [ "$wire" = 1 ]; then
    capture="$work/cell.pcap"
    (sleep "$(awk -v d="$duration" 'BEGIN {print d / 4}')"
     timeout "$(awk -v d="$duration" 'BEGIN {print d / 2}')" tcpdump -i lo -nn -s 96 -B 65536 -w "$capture" \
       "tcp port ${hostport##*:} and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 0" 2>/dev/null || true) &
    capturer=$!
  fi
  text=$(taskset -c "$LOAD_CPUS" wrk -t1 -c"$c" -d"${duration}s" --timeout 5s --latency ${wrk_headers[@]+"${wrk_headers[@]}"} \
    "http://$hostport$path" 2>&1) || true
  local socket="- -"
  if [ -n "$capturer" ]; then
    wait "$capturer" || true
    socket=$(socket_latency "$capture" "${hostport##*:}")
    rm -f "$capture"
  fi
  # shellcheck disable=SC2086
  local after; after=$(cpu_ticks $pids)
  local rps requests p50 p99 errors non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$text")
  requests=$(awk '/requests in/ {print $1}' <<<"$text")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$text")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$text")")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$text"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$text"); errors=${errors:-0}
  errors=$((errors + non2xx))
  local cpu_us_per_req="-"
  if [ -n "$requests" ] && [ "$requests" -gt 0 ]; then
    cpu_us_per_req=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$kind" "$size" "$c" "${rps:-0}" "$p50" "$p99" "$errors" \
    "$cpu_us_per_req" ${socket% *} ${socket#* } >>"$raw"
  printf '  round %s %-14s %-5s %-5s c=%-4s %10s rps  p50 %8s ms  p99 %8s ms  errors %s  cpu %s us/req  socket p50/p99 %s ms\n' \
    "$round" "$name" "$kind" "$size" "$c" "${rps:-0}" "$p50" "$p99" "$errors" "$cpu_us_per_req" "${socket/ //}" >&2
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "warm-up (JIT, pools): ${warmup} s per target, ${jvm_warmup} s per JVM at c=64, then ${jvm_churn} one-second bursts of 256 new connections per JVM; not recorded" >&2
declare -A churned=()
for t in "${targets[@]}" "${cache_targets[@]}"; do
  IFS='|' read -r name kind hostport role <<<"$t"
  path=/1k; [ "$kind" = cache ] && path=/cached/1k
  w=$warmup; [[ "$role" == sidecar:* || "$role" == *floor ]] && w=$jvm_warmup
  if [ "$w" -gt 0 ]; then taskset -c "$LOAD_CPUS" wrk -t1 -c64 -d"${w}s" "http://$hostport$path" >/dev/null 2>&1 || true; fi
  if [[ "$role" == sidecar:* || "$role" == *floor ]] && [ -z "${churned[$hostport]:-}" ]; then
    churned[$hostport]=1
    for ((i = 0; i < jvm_churn; i++)); do
      taskset -c "$LOAD_CPUS" wrk -t1 -c256 -d1s "http://$hostport/1k" >/dev/null 2>&1 || true
    done
  fi
done

for ((r = 1; r <= rounds; r++)); do
  all=("${targets[@]}" "${cache_targets[@]}")
  n=${#all[@]}
  for size in $sizes; do
    for c in $conns; do
      for ((k = 0; k < n; k++)); do
        t="${all[$(( (k + r - 1) % n ))]}"   # rotate the order each round
        IFS='|' read -r name kind hostport role <<<"$t"
        : # cache rows run at every size (1 KiB and 100 KiB), like pass-through
        run_cell "$r" "$name" "$kind" "$hostport" "$role" "$size" "$c"
      done
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- memory: RSS at c=256 with many cached objects
# Each sidecar's cache gets $objects distinct 1 KiB objects (/cached/1k?obj=N: the query is part of the cache key),
# then wrk -c256 cycles over them; the sidecar's RSS (and its L1 entry count from /metrics) is read right after.
declare -a memory_lines=()
if [ "$objects" -gt 0 ]; then
  printf 'counter = 0\nrequest = function()\n  counter = counter + 1\n  return wrk.format(nil, "/cached/1k?obj=" .. (counter %% %d))\nend\n' \
    "$objects" >"$work/objects.lua"
  for i in "${!sidecar_names[@]}"; do
    name="${sidecar_names[$i]}"
    [[ " ${cache_na[*]} " == *" $name-cache "* ]] && continue
    hostport="127.0.0.1:${sidecar_ports[$i]}"
    echo "memory: $name, $objects cached objects, wrk -c256" >&2
    taskset -c "$LOAD_CPUS" wrk -t1 -c256 -d"${duration}s" -s "$work/objects.lua" "http://$hostport/" >/dev/null 2>&1 || true
    text=$(taskset -c "$LOAD_CPUS" wrk -t1 -c256 -d"${duration}s" --timeout 5s -s "$work/objects.lua" "http://$hostport/" 2>&1) || true
    pid=${sidecar_pids[$i]}
    rss=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo "?")
    hwm=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo "?")
    entries=$(curl -fsS -m 5 "http://127.0.0.1:$((ADMIN_PORT_BASE + i))/metrics" 2>/dev/null \
      | awk '/^sidecar_cache_l1_entries/ {sum += $NF} END {printf "%.0f", sum}')
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$text")
    memory_lines+=("- $name with $objects distinct cached 1 KiB objects (L1 entries: ${entries:-?}) under wrk -c256 (${rps:-0} rps): RSS ${rss} MiB, peak RSS ${hwm} MiB")
  done
fi

# ---------------------------------------------------------------- report
order=$(for t in "${targets[@]}" "${cache_targets[@]}"; do echo "${t%%|*}"; done; for n in "${cache_na[@]}"; do echo "$n"; done)
table=$(awk -F'\t' -v order="$order" -v sizes="$sizes" -v conns="$conns" -v na="${cache_na[*]}" -v wire="$wire" '
  function median(list,   a, n, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { x = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    if (n == 0) return ""
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    key = $2 SUBSEP $4 SUBSEP $5
    rps[key] = rps[key] " " $6; p50[key] = p50[key] " " $7; p99[key] = p99[key] " " $8
    err[key] += $9; if ($10 != "-") cpu[key] = cpu[key] " " $10
    if ($11 != "" && $11 != "-") { sp50[key] = sp50[key] " " $11; sp99[key] = sp99[key] " " $12 }
    kind[$2] = $3
    round_rps[$1, $2, $4, $5] = $6
    rounds[$1] = 1
  }
  END {
    extra = wire ? " socket p50 ms | socket p99 ms |" : ""
    print "| target | body | conns | rps | p50 ms | p99 ms | errors | ratio to nginx rps | proxy CPU us/req |" extra
    print "|---|---|---:|---:|---:|---:|---:|---:|---:|" (wire ? "---:|---:|" : "")
    nt = split(order, names, "\n"); ns = split(sizes, S, " "); nc = split(conns, C, " ")
    for (s = 1; s <= ns; s++) for (ci = 1; ci <= nc; ci++) for (t = 1; t <= nt; t++) {
      name = names[t]; key = name SUBSEP S[s] SUBSEP C[ci]
      if (index(" " na " ", " " name " ") > 0) {
        if (S[s] == "1k") printf "| %s | %s | %s | n/a (cache not wired) | | | | | |%s\n", name, S[s], C[ci], wire ? " | |" : ""
        continue
      }
      if (!(key in rps)) continue
      base = (kind[name] == "cache") ? "nginx-cache" : "nginx"
      ratios = ""
      for (r in rounds) if ((r, base, S[s], C[ci]) in round_rps && round_rps[r, base, S[s], C[ci]] > 0)
        ratios = ratios " " round_rps[r, name, S[s], C[ci]] / round_rps[r, base, S[s], C[ci]]
      ratio = ratios == "" ? "" : sprintf("%.2f", median(ratios))
      cpuv = cpu[key] == "" ? "" : sprintf("%.1f", median(cpu[key]))
      printf "| %s | %s | %s | %.0f | %.2f | %.2f | %d | %s | %s |", name, S[s], C[ci], median(rps[key]), median(p50[key]), median(p99[key]), err[key], ratio, cpuv
      if (wire) printf " %s | %s |", sp50[key] == "" ? "" : sprintf("%.2f", median(sp50[key])), sp99[key] == "" ? "" : sprintf("%.2f", median(sp99[key]))
      printf "\n"
    }
  }' "$raw")

sidecar_lines=""
for i in "${!sidecar_names[@]}"; do
  pid=${sidecar_pids[$i]}
  rss=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo "?")
  hwm=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo "?")
  cpu=$(awk -v t="$(cpu_ticks "$pid")" -v hz="$hz" 'BEGIN {printf "%.1f", t / hz}')
  blocked=$(grep -c "has been blocked" "${sidecar_logs[$i]}" || true)
  sidecar_lines+="- ${sidecar_names[$i]} (\`$(realpath --relative-to="$root" "${sidecar_configs[$i]}" 2>/dev/null || echo "${sidecar_configs[$i]}")\`): ready to serve ${sidecar_ready_ms[$i]} ms after launch; RSS ${rss} MiB at the end, peak RSS ${hwm} MiB; CPU time ${cpu} s over the run; blocked-thread warnings in its log: ${blocked}"$'\n'
done

report="# Benchmark: direct vs sidecar vs nginx vs HAProxy

- command: \`$cmdline\` ($rounds round(s), ${duration} s per cell, \`wrk -t1 -cN -d${duration}s --latency${wrk_headers[@]+ -H \"Connection: close\"}\`)
- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
- versions: $(nginx -v 2>&1 | sed 's/.*: //'), HAProxy $(haproxy -v | awk 'NR==1 {print $3}'), wrk $(wrk -v 2>&1 | awk 'NR==1 {print $2}'), $(java -version 2>&1 | awk 'NR==1' | tr -d '"')
- pinning: every proxy (nginx $proxy_workers worker(s), HAProxy nbthread $proxy_workers, the floors with $proxy_workers event loop(s), the sidecar JVM with \`$SIDECAR_JAVA_OPTS\`) on cpu $PROXY_CPUS;
  wrk and the origin (nginx, 1 worker, static files, keep-alive) on cpu $LOAD_CPUS. \"direct\" is wrk -> origin.
- load average before/after: $load_before / $load_after (other builds on this machine add noise; ratios are per round)
- warm-up before round 1: ${warmup} s per target, ${jvm_warmup} s per JVM (wrk -c64), then ${jvm_churn} one-second \`wrk -c256\` bursts per JVM (new connections), none recorded
- rps, p50, p99: median over rounds; ratio: median of the per-round ratios to nginx (cache rows: to nginx-cache)$([ "$wire" = 1 ] && printf '\n%s' "- socket p50/p99 (--wire): at the target's own socket, a request's first packet in to its response's first packet out, from tcpdump on loopback over the middle half of each cell; median over rounds")
- proxy CPU us/req: CPU time (utime+stime from /proc) of the target's processes during the cell / requests served
  (for direct: the origin's)

$table

$sidecar_lines
$(printf '%s\n' "${memory_lines[@]}")"

echo
echo "$report"
mkdir -p "$(dirname "$out")"
{
  echo "$report"
  echo "<details><summary>raw cells (round, target, kind, body, conns, rps, p50 ms, p99 ms, errors, cpu us/req, socket p50 ms, socket p99 ms)</summary>"
  echo
  echo '```'
  cat "$raw"
  echo '```'
  echo "</details>"
} >"$out"
echo "written to $out" >&2
