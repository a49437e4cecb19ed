#!/usr/bin/env bash
# Where the CPU of one proxied request goes: user and kernel (sys) time per request of the proxy, of the origin and
# of wrk, for nginx, HAProxy, the sidecar and the raw JVM floor, 1 KiB pass-through, wrk -t1 -c64, every process on
# all cores (run.sh's default layout). It shows how much of a proxy's cost is the kernel's loopback TCP work, which
# every proxy here pays alike, and how much is its own user-space work.
#
#   loadtest/bench/cpu_split.sh [ROUNDS]        (default 3; about 1.5 minutes per round after a 1-minute warm-up)
#
# env SIDECAR_JAR (default sidecar/target/sidecar.jar), SIDECAR_JAVA_OPTS (default bin/sidecar's flags).
# Ports 27080 (origin), 27100 (sidecar), 27101 (nginx), 27102 (raw floor), 27103 (HAProxy), 27200 (admin) on 127.0.0.1;
# everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-3}"
jar="${SIDECAR_JAR:-$root/sidecar/target/sidecar.jar}"
opts="${SIDECAR_JAVA_OPTS:--XX:+UseParallelGC -Xms32m -Xmx160m -XX:MaxNewSize=40m -XX:MaxDirectMemorySize=384m}"
workers=$(nproc)
# shellcheck source=common.sh
. "$here/common.sh"
bench_ports_free 27080 27100 27101 27102 27103 27200
bench_workdir loadtest-split
bench_origin 27080
bench_nginx_proxy_conf "$work/proxy.conf" 27101 27080 "$workers"
bench_haproxy_cfg "$work/haproxy.cfg" 27103 27080 "$workers"
nginx -p "$work" -c "$work/origin.conf" & started+=($!)
nginx -p "$work" -c "$work/proxy.conf" & started+=($!)
haproxy -db -f "$work/haproxy.cfg" >"$work/logs/haproxy.log" 2>&1 & started+=($!); haproxy_pid=$!
# shellcheck disable=SC2086
LT_LISTEN=127.0.0.1:27100 LT_ADMIN=127.0.0.1:27200 LT_ORIGIN=127.0.0.1:27080 SIDECAR_ADMIN_TOKEN=split \
  java $opts -jar "$jar" run --config "$here/sidecar-bench.yaml" >"$work/logs/sidecar.log" 2>&1 &
started+=($!); sidecar_pid=$!
# shellcheck disable=SC2086
java $opts $BENCH_FLOOR_NETTY_OPTS -cp "$jar" "$here/floor/RawFloorRelay.java" 27102 127.0.0.1:27080 \
  >"$work/logs/raw-floor.log" 2>&1 &
started+=($!); raw_pid=$!
for port in 27080 27101 27103 27100 27102; do
  for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:$port/1k" 2>/dev/null && break; sleep 0.2; done
done
origin_pids="$(cat "$work/origin.pid") $(pgrep -P "$(cat "$work/origin.pid")" | tr '\n' ' ')"
nginx_pids="$(cat "$work/proxy.pid") $(pgrep -P "$(cat "$work/proxy.pid")" | tr '\n' ' ')"
for port in 27100 27102; do wrk -t1 -c64 -d30s "http://127.0.0.1:$port/1k" >/dev/null; done # JIT warm-up

ticks() { for p in "$@"; do awk '{print $14, $15}' "/proc/$p/stat"; done | awk '{u += $1; s += $2} END {print u + 0, s + 0}'; }
hz=$(getconf CLK_TCK)
printf '| round | proxy | rps | proxy user | proxy sys | origin user | origin sys | wrk user | wrk sys | all |\n'
printf '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for ((round = 1; round <= rounds; round++)); do
  for target in "nginx 27101 $nginx_pids" "haproxy 27103 $haproxy_pid" "sidecar 27100 $sidecar_pid" "raw-floor 27102 $raw_pid"; do
    read -r name port pids <<<"$target"
    wrk -t1 -c64 -d5s "http://127.0.0.1:$port/1k" >/dev/null
    # shellcheck disable=SC2086
    read -r pu0 ps0 < <(ticks $pids); read -r ou0 os0 < <(ticks $origin_pids)
    t=$( { TIMEFORMAT='%U %S'; time wrk -t1 -c64 -d10s "http://127.0.0.1:$port/1k" >"$work/wrk.txt"; } 2>&1 )
    # shellcheck disable=SC2086
    read -r pu1 ps1 < <(ticks $pids); read -r ou1 os1 < <(ticks $origin_pids)
    read -r wu ws <<<"$t"
    n=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
    awk -v r="$round" -v name="$name" -v n="$n" -v hz="$hz" -v rps="$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")" \
      -v pu=$((pu1 - pu0)) -v ps=$((ps1 - ps0)) -v ou=$((ou1 - ou0)) -v os=$((os1 - os0)) -v wu="$wu" -v ws="$ws" \
      'BEGIN { k = 1e6 / hz / n; a = pu * k; b = ps * k; c = ou * k; d = os * k; e = wu * 1e6 / n; f = ws * 1e6 / n;
               printf "| %d | %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", r, name, rps, a, b, c, d, e, f, a+b+c+d+e+f }'
  done
done
echo "(µs of CPU per request; 'all' is the three together: at 2 cores, rps is about 2e6 / all)"
