#!/usr/bin/env bash
# How much one sidecar JVM's rate differs from the next one's: N JVMs of one jar, started one after the other (each
# warmed like ab.sh's), each measured in R rounds of S seconds at c=64 on /1k, every round right after an nginx
# reverse proxy's round in the same minute. Prints per JVM and round: sidecar/nginx rps ratio, both rps, the
# sidecar's CPU us per request and its p99. A JIT outcome that differs between JVMs shows as per-JVM medians that
# differ by more than the rounds within one JVM do.
#
#   loadtest/bench/jvm-spread.sh              env N (6), R (4), S (6), JAR, CONFIG (sidecar-bench.yaml),
#                                             EXTRA_OPTS (more JVM flags), PROFILE=1 (async-profiler collapsed
#                                             stacks per JVM to /tmp/spread-prof-J.txt; needs /tmp/apj, see
#                                             loadtest/README.md)
# Ports 27080 (origin), 27090 (nginx), 27100/27200 (sidecar) on 127.0.0.1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar=${JAR:-$here/../../sidecar/target/sidecar.jar}; config=${CONFIG:-$here/sidecar-bench.yaml}
N=${N:-6}; R=${R:-4}; S=${S:-6}; PROFILE=${PROFILE:-0}
. "$here/common.sh"
bench_ports_free 27080 27090 27100 27200
bench_workdir spread
bench_origin 27080
nginx -p "$work" -c "$work/origin.conf" & started+=($!)
mkdir -p "$work/proxy/logs"
cat >"$work/proxy/nginx.conf" <<CONF
worker_processes 2; user root; daemon off; master_process on; pid $work/proxy/nginx.pid; error_log $work/proxy/logs/error.log warn;
events { worker_connections 4096; }
http { access_log off; tcp_nodelay on; keepalive_timeout 60s; keepalive_requests 10000000;
  upstream origin { server 127.0.0.1:27080; keepalive 256; keepalive_requests 10000000; }
  server { listen 127.0.0.1:27090 reuseport backlog=4096; proxy_http_version 1.1; proxy_set_header Connection "";
    location / { proxy_pass http://origin; } } }
CONF
nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" & started+=($!)
sleep 1
hz=$(getconf CLK_TCK)
opts="-XX:+UseParallelGC -Xms32m -Xmx160m -XX:MaxNewSize=40m -XX:MaxDirectMemorySize=384m ${EXTRA_OPTS:-}"
rps() { wrk -t1 -c64 -d${S}s --latency "http://127.0.0.1:$1/1k" | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r, p}'; }
for ((j = 1; j <= N; j++)); do
  LT_LISTEN=127.0.0.1:27100 LT_ADMIN=127.0.0.1:27200 LT_ORIGIN=127.0.0.1:27080 SIDECAR_ADMIN_TOKEN=x \
    java $opts -jar "$jar" run --config "$config" >"$work/logs/sidecar-$j.log" 2>&1 &
  pid=$!; started+=($pid)
  for _ in $(seq 150); do curl -fsS -o /dev/null http://127.0.0.1:27100/1k 2>/dev/null && break; sleep 0.2; done
  wrk -t1 -c64 -d20s http://127.0.0.1:27100/1k >/dev/null
  for ((i = 0; i < 10; i++)); do wrk -t1 -c256 -d1s http://127.0.0.1:27100/1k >/dev/null; done
  line="jvm $j:"
  for ((r = 1; r <= R; r++)); do
    n=$(rps 27090); b=$(awk '{print $14+$15}' /proc/$pid/stat); s=$(rps 27100); a=$(awk '{print $14+$15}' /proc/$pid/stat)
    cpu=$(awk -v t=$((a-b)) -v hz=$hz -v r=${s%% *} -v S=$S 'BEGIN {printf "%.1f", t/hz*1e6/(r*S)}')
    line+=" $(awk -v s=${s%% *} -v n=${n%% *} 'BEGIN {printf "%.3f", s/n}')(${s%% *}/${n%% *},cpu $cpu,p99 ${s##* })"
  done
  echo "$line"
  if [ "$PROFILE" = 1 ]; then
    jcmd $pid JVMTI.agent_load /tmp/apj/linux-x64/libasyncProfiler.so "\"start,event=cpu,interval=200us\"" >/dev/null
    wrk -t1 -c64 -d10s http://127.0.0.1:27100/1k >/dev/null
    jcmd $pid JVMTI.agent_load /tmp/apj/linux-x64/libasyncProfiler.so "\"stop,file=/tmp/spread-prof-$j.txt,collapsed\"" >/dev/null
  fi
  kill $pid; wait $pid 2>/dev/null || true
done
