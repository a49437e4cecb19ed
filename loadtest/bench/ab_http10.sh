#!/usr/bin/env bash
# HTTP/1.0 clients (ApacheBench) against the sidecar, nginx and HAProxy, laid out like run.sh: one nginx origin serving
# 1 KiB, every process on all cores, alternating rounds (the order reverses every other round). Two cells per target
# and round:
#   keep-alive   ab -k -n N -c 64    (HTTP/1.0 with "Connection: Keep-Alive")
#   close        ab -n N/5 -c 16     (a new connection per request)
# Prints rps per cell, the proxy's CPU us per request (nginx: master and workers), failed requests, and the median
# ratio to nginx.
#
#   loadtest/bench/ab_http10.sh [ROUNDS] [JAR...]     default: 3 rounds, sidecar/target/sidecar.jar
#   loadtest/bench/ab_http10.sh 3 /tmp/old.jar sidecar/target/sidecar.jar        two builds side by side
#
# env AB_REQUESTS (default 100000): requests per keep-alive cell. Each sidecar runs loadtest/bench/sidecar-bench.yaml
# and is warmed with wrk (HTTP/1.1) and ab before the first round. Ports 27080 (origin), 27090 (nginx), 27091
# (HAProxy), 27100.. (sidecars), 27200.. (their admin) on 127.0.0.1; everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-3}"; shift || true
jars=("$@"); [ ${#jars[@]} -gt 0 ] || jars=("$root/sidecar/target/sidecar.jar")
requests="${AB_REQUESTS:-100000}"
# shellcheck source=common.sh
. "$here/common.sh"
bench_free_peer_ports ${#jars[@]}
bench_workdir loadtest-ab10
bench_origin 27080
nginx -p "$work" -c "$work/origin.conf" & started+=($!)

bench_peers_and_sidecars "${jars[@]}"
for port in "${ports[@]:2}"; do
  wrk -t1 -c64 -d20s "http://127.0.0.1:$port/1k" >/dev/null
  ab -q -k -n 100000 -c 64 "http://127.0.0.1:$port/1k" >/dev/null
  ab -q -n 20000 -c 16 "http://127.0.0.1:$port/1k" >/dev/null
done
hz=$(getconf CLK_TCK)

# cell TARGET-INDEX N CONNS [-k]: prints "rps cpu-us-per-request failed"
cell() {
  local i=$1 n=$2 c=$3 before after out
  before=$(bench_ticks "${pids[i]}")
  # shellcheck disable=SC2086
  out=$(ab -q ${4:-} -n "$n" -c "$c" "http://127.0.0.1:${ports[i]}/1k" 2>&1)
  after=$(bench_ticks "${pids[i]}")
  echo "$(awk '/Requests per second/ {print $4}' <<<"$out")" \
    "$(awk -v t=$((after - before)) -v hz="$hz" -v n="$n" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')" \
    "$(awk '/Failed requests/ {print $3}' <<<"$out")"
}

bench_table_header
results="$work/results"
for ((r = 1; r <= rounds; r++)); do
  bench_round_order "$r"
  for kind in keep-alive close; do
    for i in "${order[@]}"; do
      if [ "$kind" = keep-alive ]; then line=$(cell "$i" "$requests" 64 -k); else line=$(cell "$i" $((requests / 5)) 16); fi
      echo "$r $kind ${names[i]} $line" >>"$results"
    done
    bench_round_row "$results" "$r" "$kind" "%.0f rps, %s us/req, %s failed"
  done
done
bench_ratio_summary "$results" keep-alive close
