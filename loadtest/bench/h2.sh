#!/usr/bin/env bash
# HTTP/2 clients (h2load, h2c with prior knowledge) through the sidecar, nginx and HAProxy to the HTTP/1.1 origin of
# run.sh (1 KiB), every process on all cores, alternating rounds (the order reverses every other round). Two cells
# per target and round:
#   c16m10   h2load -c16 -m10   (16 connections, 10 streams in flight on each: a multiplexing client, gRPC-like)
#   c64m1    h2load -c64 -m1    (64 connections, one stream at a time)
# Prints rps, mean request time, the proxy's CPU us per request (nginx: master and workers) and failed requests per
# cell, and the median ratio to nginx. nginx listens with `http2` (h2c prior knowledge), HAProxy with `proto h2`; the
# sidecar's default listener takes h2c. Needs h2load (Debian: nghttp2-client).
#
#   loadtest/bench/h2.sh [ROUNDS] [JAR...]      default: 3 rounds, sidecar/target/sidecar.jar
#
# A JAR may be given as JAR:CONFIG to run that sidecar with CONFIG instead of sidecar-bench.yaml (as in ab.sh), e.g.
# old.jar:loadtest/bench/sidecar-retry.yaml new.jar:loadtest/bench/sidecar-retry.yaml.
#
# env H2_SECONDS (default 10): seconds per cell. Ports 27080 (origin), 27090 (nginx), 27091 (HAProxy), 27100..
# (sidecars), 27200.. (their admin) on 127.0.0.1; everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-3}"; shift || true
jars=("$@"); [ ${#jars[@]} -gt 0 ] || jars=("$root/sidecar/target/sidecar.jar")
seconds="${H2_SECONDS:-10}"
command -v h2load >/dev/null || { echo "h2load not found (apt-get install nghttp2-client)" >&2; exit 1; }
# shellcheck source=common.sh
. "$here/common.sh"
bench_free_peer_ports ${#jars[@]}
bench_workdir loadtest-h2
bench_origin 27080
nginx -p "$work" -c "$work/origin.conf" & started+=($!)
bench_peers_and_sidecars "${jars[@]}"
# the peers' front ends speak h2c: nginx reloads its config, HAProxy restarts
sed -i 's/listen 127.0.0.1:27090 reuseport backlog=4096;/listen 127.0.0.1:27090 reuseport backlog=4096 http2;/' "$work/proxy.conf"
kill -HUP "${pids[0]}"
sed -i 's/bind 127.0.0.1:27091$/bind 127.0.0.1:27091 proto h2/' "$work/haproxy.cfg"
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 & started+=($!); pids[1]=$!
sleep 1
for port in "${ports[@]}"; do h2load -c16 -m10 -t1 -D 5 "http://127.0.0.1:$port/1k" >/dev/null; done
for port in "${ports[@]:2}"; do h2load -c64 -m1 -t1 -D 15 "http://127.0.0.1:$port/1k" >/dev/null; done # JIT warm-up

# cell TARGET-INDEX CONNS STREAMS: prints "rps mean-ms cpu-us-per-request failed"
cell() {
  bench_h2load_cell "${pids[$1]}" "http://127.0.0.1:${ports[$1]}/1k" "$2" "$3" "$seconds"
}

bench_table_header
results="$work/results"
for ((r = 1; r <= rounds; r++)); do
  bench_round_order "$r"
  for kind in c16m10 c64m1; do
    for i in "${order[@]}"; do
      if [ "$kind" = c16m10 ]; then line=$(cell "$i" 16 10); else line=$(cell "$i" 64 1); fi
      echo "$r $kind ${names[i]} $line" >>"$results"
    done
    bench_round_row "$results" "$r" "$kind" "%.0f rps, mean %s ms, %s us/req, %s failed"
  done
done
bench_ratio_summary "$results" c16m10 c64m1
