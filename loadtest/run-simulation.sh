#!/usr/bin/env bash
# Runs one Gatling simulation against a sidecar and upstreams that this script starts on loopback, then stops
# everything. The HTML report lands in loadtest/target/gatling/<simulation>-<timestamp>/index.html.
#
#   loadtest/run-simulation.sh NAME [-Dknob=value ...]
#   NAME: PassThrough | SlowInstance | Ramp | CacheHit | CacheMixed | Fault (the "Simulation" suffix is optional)
#   knobs: see each simulation's javadoc (users, rate, duration, maxP99Ms, hitRatio, ...); e.g.
#   loadtest/run-simulation.sh PassThrough -Dusers=64 -Dduration=20
#
#   env SIDECAR_CONFIG   sidecar config (default loadtest/simulations.yaml; must keep its ${LT_*} placeholders)
#   env SLOW_DELAY_MS    delay of the third upstream (default 50; also passed to SlowInstanceSimulation)
#   env SIDECAR_JAR      the sidecar jar to run (default sidecar/target/sidecar.jar, built when missing)
#   env SIDECAR_JAVA_OPTS JVM flags of the sidecar (default as bin/sidecar)
#   env WARMUP_S         seconds of unrecorded load on /pt/1k before Gatling starts (default 15; wrk when
#                        installed, else curl), so the report shows the JIT-compiled sidecar, not its first seconds;
#                        Fault also gets 13 s on /fault/1k, 5 of them with an abort rule, CacheHit and CacheMixed
#                        8 s of misses and hits under /cache/warm/ (wrk only); 0: none
# Ports: sidecar 27290, admin 27291, upstreams 27301-27303, all on 127.0.0.1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/loopback.sh
. "$here/lib/loopback.sh"
root="$lt_root"

if [ $# -lt 1 ] || [[ "$1" == -* ]]; then sed -n '2,16p' "$0"; exit 2; fi
name="${1%Simulation}Simulation"; shift
case "$name" in
  PassThroughSimulation|SlowInstanceSimulation|RampSimulation|CacheHitSimulation|CacheMixedSimulation|FaultSimulation) ;;
  *) echo "unknown simulation $name" >&2; exit 2 ;;
esac
config="${SIDECAR_CONFIG:-$here/simulations.yaml}"
slow_delay="${SLOW_DELAY_MS:-50}"
lt_require_free_ports 27290 27291 27301 27302 27303

logs="$here/target/run-simulation"
jar=$(lt_private_sidecar_jar "$logs")
echo "compiling loadtest ..." >&2
(cd "$root" && ./mvnw -B -q -pl loadtest test-compile) >&2
lt_trap_cleanup

lt_start_upstreams "$logs/upstreams.log" u1:27301 u2:27302 "u3:27303:$slow_delay"

LT_LISTEN=127.0.0.1:27290 LT_ADMIN=127.0.0.1:27291 \
  LT_UPSTREAM_1=127.0.0.1:27301 LT_UPSTREAM_2=127.0.0.1:27302 LT_UPSTREAM_3=127.0.0.1:27303 \
  lt_start_sidecar "$jar" "$config" "$logs/sidecar.log" http://127.0.0.1:27290/pt/1k

warmup="${WARMUP_S:-15}"
if [ "$warmup" -gt 0 ]; then
  echo "warm-up: ${warmup} s on /pt/1k, not recorded" >&2
  if command -v wrk >/dev/null; then
    wrk -t1 -c16 -d"${warmup}s" http://127.0.0.1:27290/pt/1k >/dev/null 2>&1 || true
  else
    end=$((SECONDS + warmup))
    while [ $SECONDS -lt $end ]; do curl -fsS -m 2 -o /dev/null http://127.0.0.1:27290/pt/1k || true; done
  fi
fi

if [ "$name" = FaultSimulation ] && [ "$warmup" -gt 0 ] && command -v wrk >/dev/null; then
  # Under /pt/ load the fault path (the decision pinned to the full path, the abort) stays interpreted, and the
  # experiment's first second then set the report's p99 (the assertion failed on first runs): warm it with a rule
  # like the experiment's for 5 s, remove the rule, and send 8 s more without it, so that the experiment's halt
  # condition (error rate over 5 s) does not see the warm-up's errors.
  echo "warm-up: 5 s on /fault/1k with a 20 % abort rule, then 8 s without, not recorded" >&2
  admin=(-H "authorization: Bearer $SIDECAR_ADMIN_TOKEN")
  rule=$(curl -fsS "${admin[@]}" -H 'content-type: application/json' -X POST http://127.0.0.1:27291/faults \
    -d '{"name":"warm-up","route":"fault","percent":20,"abort":{"status":503}}' | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
  wrk -t1 -c16 -d5s http://127.0.0.1:27290/fault/1k >/dev/null 2>&1 || true
  [ -n "$rule" ] && curl -fsS "${admin[@]}" -o /dev/null -X DELETE "http://127.0.0.1:27291/faults/$rule"
  wrk -t1 -c16 -d8s http://127.0.0.1:27290/fault/1k >/dev/null 2>&1 || true
fi

if [[ "$name" == Cache*Simulation ]] && [ "$warmup" -gt 0 ] && command -v wrk >/dev/null; then
  # Under /pt/ load the cache route's code (lookup, miss, store, hit) stays interpreted, and every request of the
  # simulation's first second took 0.5-0.8 s (CacheMixed's hot p99 assertion failed once on it): warm it with URLs
  # the simulations never ask for, 4 s of misses (each a new URL) and 4 s of hits on one URL.
  echo "warm-up: 4 s of cache misses and 4 s of cache hits under /cache/warm/, not recorded" >&2
  printf '%s\n' 'n = 0' 'request = function() n = n + 1; return wrk.format("GET", "/cache/warm/" .. n .. "/1k") end' \
    >"$logs/cache-misses.lua"
  wrk -t1 -c4 -d4s -s "$logs/cache-misses.lua" http://127.0.0.1:27290/ >/dev/null 2>&1 || true
  wrk -t1 -c16 -d4s http://127.0.0.1:27290/cache/warm/hit/1k >/dev/null 2>&1 || true
fi

status=0
(cd "$root" && ./mvnw -B -pl loadtest gatling:test \
  -Dgatling.simulationClass="io.sidecar.loadtest.$name" \
  -Dtarget=http://127.0.0.1:27290 -Dadmin=http://127.0.0.1:27291 -DadminToken="$SIDECAR_ADMIN_TOKEN" \
  -DslowDelayMs="$slow_delay" "$@") || status=$?

echo "sidecar: $(lt_sidecar_figures "$sidecar_pid" "$logs/sidecar.log") (log: $logs/sidecar.log)" >&2
latest=$(ls -td "$here"/target/gatling/*/ 2>/dev/null | head -1 || true)
[ -n "$latest" ] && echo "report: ${latest}index.html" >&2
exit $status
