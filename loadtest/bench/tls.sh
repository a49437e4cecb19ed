#!/usr/bin/env bash
# HTTPS clients through the sidecar, nginx and HAProxy, each terminating TLS in front of run.sh's plain HTTP/1.1
# origin (1 KiB), every process on all cores, alternating rounds (the order reverses every other round). Cells per
# target and round: `tls`, wrk -t1 -c64 (HTTP/1.1 keep-alive); with TLS_H2=1 also `h2tls`, h2load -c16 -m10 (HTTP/2
# by ALPN; nginx `ssl http2`, HAProxy `alpn h2,http/1.1`; needs nghttp2-client). Prints rps, p99 (h2load: the mean
# request time), the proxy's CPU us per request (nginx: master and workers) and errors, and the median ratio to nginx.
#
# All three get the same self-signed ECDSA P-256 certificate made here, and negotiate TLS 1.3 with wrk's OpenSSL
# (TLS_AES_256_GCM_SHA384 for each; nginx is given `ssl_protocols TLSv1.2 TLSv1.3`, as Debian's 1.22 stops at 1.2
# by default); the handshakes happen in the warm-up, so a keep-alive cell measures record encryption and the relay. nginx: `listen ... ssl`, HAProxy:
# `bind ... ssl crt`, the sidecar: sidecar-tls.yaml (or CONFIG, for an argument JAR:CONFIG).
#
#   loadtest/bench/tls.sh [ROUNDS] [JAR...]      default: 3 rounds, sidecar/target/sidecar.jar
#
# env TLS_SECONDS (default 10): seconds per cell; TLS_CONNS (default 64); TLS_HEADER: a header every measured wrk
# request carries, e.g. "Connection: close" (a new connection, and a full TLS handshake, per request). Ports 27080 (origin), 27090 (nginx), 27091
# (HAProxy), 27100.. (sidecars), 27200.. (their admin) on 127.0.0.1; everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-3}"; shift || true
jars=("$@"); [ ${#jars[@]} -gt 0 ] || jars=("$root/sidecar/target/sidecar.jar")
seconds="${TLS_SECONDS:-10}"; conns="${TLS_CONNS:-64}"
for i in "${!jars[@]}"; do [[ "${jars[i]}" == *:* ]] || jars[i]="${jars[i]}:$here/sidecar-tls.yaml"; done
# shellcheck source=common.sh
. "$here/common.sh"
bench_free_peer_ports ${#jars[@]}
bench_workdir loadtest-tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cat "$work/cert.pem" "$work/key.pem" >"$work/haproxy.pem"
export LT_CERT="$work/cert.pem" LT_KEY="$work/key.pem"
bench_origin 27080
nginx -p "$work" -c "$work/origin.conf" & started+=($!)
BENCH_SIDECAR_SCHEME=https bench_peers_and_sidecars "${jars[@]}"
# the peers' front ends terminate TLS: nginx reloads its config, HAProxy restarts
# (Debian's nginx 1.22 offers TLS 1.3 only when told to: its default ssl_protocols stop at TLSv1.2)
sed -i "s|listen 127.0.0.1:27090 reuseport backlog=4096;|listen 127.0.0.1:27090 reuseport backlog=4096 ssl http2; ssl_protocols TLSv1.2 TLSv1.3; ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem;|" "$work/proxy.conf"
kill -HUP "${pids[0]}"
sed -i "s|bind 127.0.0.1:27091\$|bind 127.0.0.1:27091 ssl crt $work/haproxy.pem alpn h2,http/1.1|" "$work/haproxy.cfg"
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 & started+=($!); pids[1]=$!
for port in "${ports[@]}"; do
  for _ in $(seq 150); do curl -kfsS -o /dev/null "https://127.0.0.1:$port/1k" 2>/dev/null && break; sleep 0.2; done
  curl -kfsS -o /dev/null "https://127.0.0.1:$port/1k" || { echo "no answer over TLS on $port" >&2; exit 1; }
done
for port in "${ports[@]}"; do wrk -t1 -c"$conns" -d3s "https://127.0.0.1:$port/1k" >/dev/null; done
if [ "${TLS_H2:-0}" = 1 ]; then
  command -v h2load >/dev/null || { echo "h2load not found (apt-get install nghttp2-client)" >&2; exit 1; }
  for port in "${ports[@]}"; do h2load -c16 -m10 -t1 -D 5 "https://127.0.0.1:$port/1k" >/dev/null; done
  for port in "${ports[@]:2}"; do h2load -c16 -m10 -t1 -D 15 "https://127.0.0.1:$port/1k" >/dev/null; done # JIT
fi
for port in "${ports[@]:2}"; do wrk -t1 -c"$conns" -d20s "https://127.0.0.1:$port/1k" >/dev/null; done # JIT warm-up
hz=$(getconf CLK_TCK)

kinds=(tls); [ "${TLS_H2:-0}" = 1 ] && kinds+=(h2tls)

# h2cell TARGET-INDEX: prints "rps mean-ms cpu-us-per-request failed" for h2load -c16 -m10 over TLS
h2cell() {
  bench_h2load_cell "${pids[$1]}" "https://127.0.0.1:${ports[$1]}/1k" 16 10 "$seconds"
}

# cell TARGET-INDEX: prints "rps p99-ms cpu-us-per-request errors"
cell() {
  local i=$1 before after out
  before=$(bench_ticks "${pids[i]}")
  local header=()
  [ -n "${TLS_HEADER:-}" ] && header=(-H "$TLS_HEADER")
  out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency "${header[@]}" "https://127.0.0.1:${ports[i]}/1k" 2>&1)
  after=$(bench_ticks "${pids[i]}")
  awk -v t=$((after - before)) -v hz="$hz" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
    /requests in/ {n = $1} /Requests\/sec/ {rps = $2} /^ +99%/ {p99 = ms($2)}
    /Socket errors|Non-2xx/ {for (f = 1; f <= NF; f++) if ($f ~ /^[0-9]+,?$/) e += $f + 0}
    END {printf "%s %.2f %.1f %d\n", rps, p99, t / hz * 1e6 / n, e}' <<<"$out"
}

bench_table_header
results="$work/results"
for ((r = 1; r <= rounds; r++)); do
  bench_round_order "$r"
  for i in "${order[@]}"; do echo "$r tls ${names[i]} $(cell "$i")" >>"$results"; done
  bench_round_row "$results" "$r" tls "%.0f rps, p99 %s ms, %s us/req, %s errors"
  if [ "${TLS_H2:-0}" = 1 ]; then
    for i in "${order[@]}"; do echo "$r h2tls ${names[i]} $(h2cell "$i")" >>"$results"; done
    bench_round_row "$results" "$r" h2tls "%.0f rps, mean %s ms, %s us/req, %s failed"
  fi
done
bench_ratio_summary "$results" "${kinds[@]}"
