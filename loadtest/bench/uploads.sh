#!/usr/bin/env bash
# 1 KiB uploads (POST) through the sidecar, nginx and HAProxy, laid out like run.sh: one nginx origin whose POST
# /upload reads the body and answers "ok", every process on all cores, alternating rounds (the order reverses every
# other round). Two cells per target and round, wrk -t1 -c64:
#   chunked   Transfer-Encoding: chunked, two 512-byte chunks (upload-chunked.lua): a body of unknown length, as
#             curl -T -, Java's HttpClient with an InputStream or Go with an io.Reader send it
#   length    the same 1 KiB with Content-Length (upload-length.lua)
# Prints rps, p99, the proxy's CPU us per request (nginx: master and workers) and failures (non-2xx answers and
# socket errors) per cell, and the median ratio to nginx. nginx buffers a request body before it sends it on (proxy_request_buffering, its default)
# and sends it with a Content-Length; HAProxy and the sidecar stream it.
#
#   loadtest/bench/uploads.sh [ROUNDS] [JAR...]      default: 3 rounds, sidecar/target/sidecar.jar
#   loadtest/bench/uploads.sh 3 /tmp/old.jar sidecar/target/sidecar.jar        two builds side by side
#
# env UP_SECONDS (default 10): seconds per cell. Ports 27080 (origin), 27090 (nginx), 27091 (HAProxy), 27100..
# (sidecars), 27200.. (their admin) on 127.0.0.1; everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-3}"; shift || true
jars=("$@"); [ ${#jars[@]} -gt 0 ] || jars=("$root/sidecar/target/sidecar.jar")
seconds="${UP_SECONDS:-10}"
# shellcheck source=common.sh
. "$here/common.sh"
bench_free_peer_ports ${#jars[@]}
bench_workdir loadtest-uploads
bench_origin 27080
nginx -p "$work" -c "$work/origin.conf" & started+=($!)
bench_peers_and_sidecars "${jars[@]}"
for port in "${ports[@]:2}"; do # warm each JVM on both kinds of upload
  for kind in chunked length; do wrk -t1 -c64 -d15s -s "$here/upload-$kind.lua" "http://127.0.0.1:$port/upload" >/dev/null; done
done
hz=$(getconf CLK_TCK)

# cell TARGET-INDEX KIND: prints "rps p99-ms cpu-us-per-request failures"
cell() {
  local i=$1 kind=$2 before after out
  before=$(bench_ticks "${pids[i]}")
  out=$(wrk -t1 -c64 -d"${seconds}s" --latency -s "$here/upload-$kind.lua" "http://127.0.0.1:${ports[i]}/upload" 2>&1)
  after=$(bench_ticks "${pids[i]}")
  awk -v t=$((after - before)) -v hz="$hz" '
    /Requests\/sec/ {rps = $2} /^ +99%/ {p99 = $2} /requests in/ {n = $1} /Non-2xx/ {bad = $NF}
    /Socket errors/ {for (j = 3; j <= NF; j++) if ($j ~ /^[0-9]+,?$/) bad += $j + 0}
    END {
      if (p99 ~ /us$/) p99 = p99 / 1000; else if (p99 ~ /ms$/) p99 = p99 + 0; else if (p99 ~ /s$/) p99 = p99 * 1000
      printf "%s %.2f %.1f %d\n", rps, p99, t / hz * 1e6 / n, bad
    }' <<<"$out"
}

bench_table_header
results="$work/results"
for ((r = 1; r <= rounds; r++)); do
  bench_round_order "$r"
  for kind in chunked length; do
    for i in "${order[@]}"; do echo "$r $kind ${names[i]} $(cell "$i" "$kind")" >>"$results"; done
    bench_round_row "$results" "$r" "$kind" "%.0f rps, p99 %s ms, %s us/req, %s failed"
  done
done
bench_ratio_summary "$results" chunked length
