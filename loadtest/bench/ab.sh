#!/usr/bin/env bash
# A/B of two sidecars on 1 KiB pass-through, laid out like run.sh (by default every process shares all cores).
# Prints rps, p99 and CPU us per request of each cell.
#
#   loadtest/bench/ab.sh A B [ROUNDS]      A, B: JAR or JAR:CONFIG (default config loadtest/bench/sidecar-bench.yaml)
#   loadtest/bench/ab.sh old.jar new.jar                    two builds (e.g. one from `git worktree add /tmp/old REV`)
#   loadtest/bench/ab.sh sidecar/target/sidecar.jar sidecar/target/sidecar.jar:loadtest/bench/sidecar-stages.yaml
#
# Two modes:
# - default: alternating rounds, a fresh JVM per run (what start-up and JIT luck do to a run is part of the spread);
# - AB_WARM=1: both JVMs run at once, each warmed once, and every round measures A and B back to back (the order
#   alternates), printing B/A for rps and CPU per request and their medians at the end. On a noisy shared machine the
#   same minute's ratio is the steadiest measure this repo has found: a few-percent change in CPU per request shows
#   in most rounds, where fresh JVMs per round spread by 10 % and more. But each JVM keeps its own JIT luck for every
#   round: A/A runs (one jar against itself, AMD EPYC 2026-12-07) gave medians rps 1.037 and CPU 0.974 (8 rounds),
#   1.043 / 0.974 (12 rounds, 3 pairs) and 0.965 / 1.042 (12 rounds, 4 pairs, ports swapped every other pair).
#   Run an A/A control beside any A/B whose effect is under about 5 %, and repeat an A/B with new JVMs before
#   believing it (loadtest/README.md, "The night on an AMD EPYC"). AB_PAIRS=N (default 1) does the repeating: the
#   rounds are shared among N pairs of new JVMs; every other pair launches B first and gives A and B each other's
#   ports, and the medians cover them all. Three runs on 2026-12-07's night put whichever jar was given first about 3 %
#   ahead, either way round (results/ab-1207-4bdf692-vs-rawtries.md): run a small A/B both ways before reading it.
#
# env OPTS_A, OPTS_B: JVM flags of A and of B (default SIDECAR_JAVA_OPTS, else bin/sidecar's), to compare flags
# env AB_PATH (default /1k; the origin also serves /100k and the config's /cached/...), AB_CONNS (default 64)
# env AB_SECONDS (default 10): seconds per measured cell
# env AB_HEADER: a header every measured request carries, e.g. "Connection: close" (a new connection per request)
# env AB_SCRIPT: a wrk Lua script for the measured requests, e.g. loadtest/bench/upload-chunked.lua (1 KiB uploads
# sent chunked to the origin's POST /upload) or upload-length.lua (the same with Content-Length)
# env AB_CHURN (default 40): one-second wrk -c256 bursts of new connections after the 20 s warm-up, so the JIT has
# compiled connection set-up too (run.sh --jvm-churn says why)
# env SIDECAR_CPUS, LOAD_CPUS (default: all cores): cores of the sidecar JVM and of wrk + origin; 0 and 1 measures
# run.sh --pinned's layout (the sidecar then runs one event loop).
# Ports 27080 (origin), 27100/27101 (sidecars), 27200/27201 (admin) on 127.0.0.1; everything started here is stopped
# on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -ge 2 ] || { sed -n '2,30p' "$0"; exit 2; }
targets=("$1" "$2"); rounds="${3:-3}"
all_cpus="0-$(( $(nproc) - 1 ))"
sidecar_cpus="${SIDECAR_CPUS:-$all_cpus}"; load_cpus="${LOAD_CPUS:-$all_cpus}"
path="${AB_PATH:-/1k}"; conns="${AB_CONNS:-64}"; seconds="${AB_SECONDS:-10}"
# shellcheck source=common.sh
. "$here/common.sh"
bench_ports_free 27080 27100 27101 27200 27201
bench_workdir loadtest-ab
bench_origin 27080
taskset -c "$load_cpus" nginx -p "$work" -c "$work/origin.conf" & started+=($!)
sleep 1
hz=$(getconf CLK_TCK)
opts="${SIDECAR_JAVA_OPTS:--XX:+UseParallelGC -Xms32m -Xmx160m -XX:MaxNewSize=40m -XX:MaxDirectMemorySize=384m}"
side_opts=("${OPTS_A:-$opts}" "${OPTS_B:-$opts}")
pids=(0 0)
ports=(27100 27101) # the port of each side; AB_PAIRS swaps them from one pair to the next

# launch SIDE: starts sidecar SIDE (0 = A, 1 = B) on port ${ports[SIDE]}, waits until it answers, then warms it
launch() {
  local side=$1 target="${targets[$1]}" port=${ports[$1]} config="$here/sidecar-bench.yaml"
  local jar="${target%%:*}"
  [[ "$target" == *:* ]] && config="${target#*:}"
  # shellcheck disable=SC2086
  LT_LISTEN=127.0.0.1:$port LT_ADMIN=127.0.0.1:$((port + 100)) LT_ORIGIN=127.0.0.1:27080 SIDECAR_ADMIN_TOKEN=ab \
    taskset -c "$sidecar_cpus" java ${side_opts[$side]} -jar "$jar" run --config "$config" >"$work/logs/sidecar-$side.log" 2>&1 &
  pids[side]=$!; started+=($!)
  for _ in $(seq 150); do curl -fsS -o /dev/null "http://127.0.0.1:$port/1k" 2>/dev/null && break; sleep 0.2; done
  taskset -c "$load_cpus" wrk -t1 -c"$conns" -d20s "http://127.0.0.1:$port$path" >/dev/null
  for ((i = 0; i < ${AB_CHURN:-40}; i++)); do taskset -c "$load_cpus" wrk -t1 -c256 -d1s "http://127.0.0.1:$port/1k" >/dev/null; done
}

# cell SIDE: one measured wrk run against sidecar SIDE; prints "rps p99 cpu-us-per-request"
cell() {
  local side=$1 pid=${pids[$1]} before after out n
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(taskset -c "$load_cpus" wrk -t1 -c"$conns" -d"${seconds}s" --latency ${AB_HEADER:+-H "$AB_HEADER"} ${AB_SCRIPT:+-s "$AB_SCRIPT"} "http://127.0.0.1:${ports[side]}$path")
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")" \
    "$(awk -v t=$((after - before)) -v hz="$hz" -v n="$n" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}')"
}

stop() {
  kill "${pids[$1]}"; wait "${pids[$1]}" 2>/dev/null || true
}

median() {
  sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

if [ "${AB_WARM:-0}" = 1 ]; then
  pairs="${AB_PAIRS:-1}"
  [[ "$pairs" =~ ^[1-9][0-9]*$ && "$pairs" -le "$rounds" ]] || { echo "AB_PAIRS must be 1..ROUNDS" >&2; exit 2; }
  rps_ratios=(); cpu_ratios=(); last_pair=-1
  for ((round = 1; round <= rounds; round++)); do
    # a new pair of JVMs every rounds/pairs rounds; every other pair launches B first and swaps the two ports, so
    # neither the launch order nor a port can favour one side over the whole run
    pair=$(( (round - 1) * pairs / rounds ))
    if (( pair != last_pair )); then
      if (( last_pair >= 0 )); then stop 0; stop 1; echo "pair $pair: new JVMs"; fi
      last_pair=$pair
      if (( pair % 2 )); then ports=(27101 27100); launch 1; launch 0; else ports=(27100 27101); launch 0; launch 1; fi
    fi
    if ((round % 2)); then a=$(cell 0); b=$(cell 1); else b=$(cell 1); a=$(cell 0); fi
    read -r rps_a p99_a cpu_a <<<"$a"; read -r rps_b p99_b cpu_b <<<"$b"
    rps_ratio=$(awk -v a="$rps_a" -v b="$rps_b" 'BEGIN {printf "%.3f", b / a}')
    cpu_ratio=$(awk -v a="$cpu_a" -v b="$cpu_b" 'BEGIN {printf "%.3f", b / a}')
    rps_ratios+=("$rps_ratio"); cpu_ratios+=("$cpu_ratio")
    printf 'round %d  A rps %9s p99 %7s cpu %6s us/req | B rps %9s p99 %7s cpu %6s us/req | B/A rps %s cpu %s\n' \
      "$round" "$rps_a" "$p99_a" "$cpu_a" "$rps_b" "$p99_b" "$cpu_b" "$rps_ratio" "$cpu_ratio"
  done
  echo "median B/A over $rounds rounds: rps $(printf '%s\n' "${rps_ratios[@]}" | median), CPU per request $(printf '%s\n' "${cpu_ratios[@]}" | median)"
  exit 0
fi

for ((round = 1; round <= rounds; round++)); do
  for side in 0 1; do
    launch "$side"
    read -r rps p99 cpu <<<"$(cell "$side")"
    printf 'round %d %s %-58s rps %10s  p99 %8s  cpu %s us/req\n' "$round" "$([ "$side" = 0 ] && echo A || echo B)" \
      "${targets[$side]}" "$rps" "$p99" "$cpu"
    stop "$side"
  done
done
