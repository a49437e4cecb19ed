#!/usr/bin/env bash
# The balancer simulator's scenario 2 (balancer/README.md, section Simulator) against real servers through the
# running sidecar (issue #3, "real run"): 11 upstreams on loopback answering in ~20 ms (log-normal, sigma 0.3), the
# 11th behind the sidecar's own TCP proxy, where a +2 s latency toxic is added through the control API for the
# middle half of the run; an open-model load (Poisson arrivals, 1 s timeout) through the sidecar, one fresh sidecar
# per strategy. Prints the simulator's table and writes it to bench/results/real-run-latest.md (--quick:
# real-run-quick.md, so a smoke check does not replace the recorded full run).
#
#   loadtest/real-run.sh [--rate 1000] [--duration 60] [--warmup 20] [--window 10] [--seed 42]
#                        [--strategies round_robin,p2c_peak_ewma,predictive] [--out FILE]
#   loadtest/real-run.sh --quick          # smoke check: --rate 300 --duration 12 --warmup 8 --window 2
#
#   env SIDECAR_JAVA_OPTS  JVM flags of the sidecar (default as bin/sidecar)
# Ports: sidecar 27400, admin 27401, upstreams 27411-27421, TCP proxy 27422 (inside the sidecar), all 127.0.0.1.
# Everything it starts is stopped when it ends, fails or is interrupted.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/loopback.sh
. "$here/lib/loopback.sh"

# Everything in one function: bash reads a script while it runs it, so an edit of this file during a run would
# otherwise change what the running copy executes next.
main() {
  rate=1000 duration=60 warmup=20 window=10 seed=42
  strategies=round_robin,p2c_peak_ewma,predictive
  out="$here/bench/results/real-run-latest.md"
  command_line="loadtest/real-run.sh${*:+ $*}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --rate) rate="$2"; shift 2 ;;
      --duration) duration="$2"; shift 2 ;;
      --warmup) warmup="$2"; shift 2 ;;
      --window) window="$2"; shift 2 ;;
      --seed) seed="$2"; shift 2 ;;
      --strategies) strategies="$2"; shift 2 ;;
      --out) out="$2"; shift 2 ;;
      --quick) rate=300 duration=12 warmup=8 window=2; out="$here/bench/results/real-run-quick.md"; shift ;;
      -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
      *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
  done
  for s in ${strategies//,/ }; do
    case "$s" in
      round_robin|weighted_round_robin|least_request|p2c_peak_ewma|predictive) ;;
      *) echo "unknown strategy '$s' (round_robin, weighted_round_robin, least_request, p2c_peak_ewma, predictive)" >&2; exit 2 ;;
    esac
  done

  listen=127.0.0.1:27400 admin=127.0.0.1:27401
  lt_require_free_ports 27400 27401 $(seq 27411 27422)

  work="$here/target/real-run"
  mkdir -p "$work"
  jar=$(lt_private_sidecar_jar "$work")
  echo "compiling loadtest ..." >&2
  (cd "$lt_root" && ./mvnw -B -q -pl loadtest compile dependency:build-classpath \
    -Dmdep.outputFile="$work/classpath" -DincludeScope=runtime) >&2
  # HdrHistogram and Jackson from this module; Vert.x 5 and netty 4.2 from the sidecar jar (see VertxHttpSender).
  cp="$here/target/classes:$(cat "$work/classpath"):$jar"
  lt_trap_cleanup

  upstreams=()
  for i in $(seq 1 11); do upstreams+=("u$i:$((27410 + i)):20:0.3"); done
  lt_start_upstreams "$work/upstreams.log" "${upstreams[@]}"

  results="$work/results.jsonl"
  figures="$work/sidecar-figures.txt"
  : >"$results"
  : >"$figures"
  started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  echo "real run: ${strategies//,/, } at $rate req/s, ${duration} s each (+${warmup} s warm-up), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  for s in ${strategies//,/ }; do
    LT_LISTEN=$listen LT_ADMIN=$admin LT_BALANCER=$s \
      lt_start_sidecar "$jar" "$here/real-run.yaml" "$work/sidecar-$s.log" "http://$listen/real/1k"
    lt_run java -Xmx256m -cp "$cp" io.sidecar.loadtest.realrun.RealRun run --strategy "$s" \
      --target "http://$listen/real/1k" --admin "http://$admin" --token "$SIDECAR_ADMIN_TOKEN" --cluster eleven \
      --slow-proxy slow --slow-endpoint 127.0.0.1:27422 --rate "$rate" --duration "$duration" --warmup "$warmup" \
      --window "$window" --seed "$seed" --out "$results" >/dev/null
    echo "$s: sidecar $(lt_sidecar_figures "$sidecar_pid" "$work/sidecar-$s.log")" | tee -a "$figures" >&2
    lt_stop "$sidecar_pid" 25
  done

  table=$(java -cp "$cp" io.sidecar.loadtest.realrun.RealRun report "$results")
  echo "$table"
  mkdir -p "$(dirname "$out")"
  {
    echo "# Real run (issue #3): scenario 2 through the sidecar"
    echo
    echo "Started $started_at, ended $(date -u +%Y-%m-%dT%H:%M:%SZ), on $(nproc) cores (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))."
    echo "Sidecar jar: sidecar/target/sidecar.jar of $(date -u -r "$lt_root/sidecar/target/sidecar.jar" +%Y-%m-%dT%H:%M:%SZ)."
    echo
    echo '```'
    echo "$command_line"
    echo '```'
    echo
    echo "11 upstreams (TestUpstreams, log-normal delay, median 20 ms, sigma 0.3); the 11th behind the sidecar's TCP proxy \`slow\`,"
    echo "where a latency toxic (+2000 ms on the responses) is on for the middle half of each run; route timeout 1 s, no retry, no"
    echo "hedge, no outlier detection, no breaker, pool 256 per endpoint (loadtest/real-run.yaml); a fresh sidecar per strategy;"
    echo "Poisson arrivals at $rate req/s (seed $seed, the same for every strategy), client timeout 1 s from the intended send time."
    echo "The first count per endpoint is the slow endpoint's."
    echo
    echo '```'
    echo "$table"
    echo '```'
    echo
    echo "Sidecar per strategy:"
    echo
    sed 's/^/- /' "$figures"
  } >"$out"
  echo "written to $out" >&2
}

main "$@"
