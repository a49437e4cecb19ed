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
#   env SIDECAR_JAVA_OPTS JVM flags of the sidecar (default as bin/sidecar)
#   env WARMUP_S         seconds of unrecorded load on /pt/1k before Gatling starts (default 15; wrk when
#                        installed, else curl), so the report shows the JIT-compiled sidecar, not its first seconds
# Ports: sidecar 27290, admin 27291, upstreams 27301-27303, all on 127.0.0.1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [ $# -lt 1 ] || [[ "$1" == -* ]]; then sed -n '2,14p' "$0"; exit 2; fi
name="${1%Simulation}Simulation"; shift
case "$name" in
  PassThroughSimulation|SlowInstanceSimulation|RampSimulation|CacheHitSimulation|CacheMixedSimulation|FaultSimulation) ;;
  *) echo "unknown simulation $name" >&2; exit 2 ;;
esac
config="${SIDECAR_CONFIG:-$here/simulations.yaml}"
slow_delay="${SLOW_DELAY_MS:-50}"
SIDECAR_JAVA_OPTS="${SIDECAR_JAVA_OPTS:--XX:+UseParallelGC -Xms32m -Xmx192m -XX:MaxDirectMemorySize=384m}"
export SIDECAR_ADMIN_TOKEN="${SIDECAR_ADMIN_TOKEN:-loadtest-token}"
for port in 27290 27291 27301 27302 27303; do
  if ss -ltnH "sport = :$port" | grep -q .; then echo "port $port is in use" >&2; exit 1; fi
done

jar="$root/sidecar/target/sidecar.jar"
if [ ! -f "$jar" ]; then
  echo "building $jar ..." >&2
  (cd "$root" && ./mvnw -B -q -DskipTests package -pl sidecar -am) >&2
fi
echo "compiling loadtest ..." >&2
(cd "$root" && ./mvnw -B -q -pl loadtest test-compile) >&2

logs="$here/target/run-simulation"
mkdir -p "$logs"
# Run a private copy: another build replacing sidecar/target/sidecar.jar mid-run must not break this JVM.
cp "$jar" "$logs/sidecar.jar"
declare -a started=()
cleanup() {
  local pid
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${started[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

java -cp "$here/target/classes" io.sidecar.loadtest.TestUpstreams \
  u1:27301 u2:27302 "u3:27303:$slow_delay" >"$logs/upstreams.log" 2>&1 &
started+=($!)
for _ in $(seq 1 100); do grep -q ready "$logs/upstreams.log" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$logs/upstreams.log" || { echo "upstreams did not start:" >&2; cat "$logs/upstreams.log" >&2; exit 1; }

t0=$(date +%s%N)
# shellcheck disable=SC2086
LT_LISTEN=127.0.0.1:27290 LT_ADMIN=127.0.0.1:27291 \
  LT_UPSTREAM_1=127.0.0.1:27301 LT_UPSTREAM_2=127.0.0.1:27302 LT_UPSTREAM_3=127.0.0.1:27303 \
  java $SIDECAR_JAVA_OPTS -jar "$logs/sidecar.jar" run --config "$config" >"$logs/sidecar.log" 2>&1 &
sidecar_pid=$!
started+=($sidecar_pid)
ready=""
for _ in $(seq 1 300); do
  if curl -fsS -m 2 -o /dev/null http://127.0.0.1:27290/pt/1k 2>/dev/null; then ready=1; break; fi
  kill -0 "$sidecar_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { echo "sidecar did not serve within 30 s:" >&2; tail -20 "$logs/sidecar.log" >&2; exit 1; }
echo "sidecar ready to serve $(( ($(date +%s%N) - t0) / 1000000 )) ms after launch" >&2

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

status=0
(cd "$root" && ./mvnw -B -pl loadtest gatling:test \
  -Dgatling.simulationClass="io.sidecar.loadtest.$name" \
  -Dtarget=http://127.0.0.1:27290 -Dadmin=http://127.0.0.1:27291 -DadminToken="$SIDECAR_ADMIN_TOKEN" \
  -DslowDelayMs="$slow_delay" "$@") || status=$?

rss=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$sidecar_pid/status" 2>/dev/null || echo "?")
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz}' "/proc/$sidecar_pid/stat" 2>/dev/null || echo "?")
blocked=$(grep -c "has been blocked" "$logs/sidecar.log" || true)
echo "sidecar: peak RSS ${rss} MiB, CPU ${cpu} s, blocked-thread warnings ${blocked} (log: $logs/sidecar.log)" >&2
latest=$(ls -td "$here"/target/gatling/*/ 2>/dev/null | head -1 || true)
[ -n "$latest" ] && echo "report: ${latest}index.html" >&2
exit $status
