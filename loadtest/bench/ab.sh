#!/usr/bin/env bash
# A/B of two sidecars on 1 KiB pass-through: alternating rounds, a fresh JVM per run, laid out like run.sh
# (by default every process shares all cores). Prints rps, p99 and CPU us per request per run.
#
#   loadtest/bench/ab.sh A B [ROUNDS]      A, B: JAR or JAR:CONFIG (default config loadtest/bench/sidecar-bench.yaml)
#   loadtest/bench/ab.sh old.jar new.jar                    two builds (e.g. one from `git worktree add /tmp/old REV`)
#   loadtest/bench/ab.sh sidecar/target/sidecar.jar sidecar/target/sidecar.jar:loadtest/bench/sidecar-stages.yaml
#
# env OPTS_A, OPTS_B: JVM flags of A and of B (default SIDECAR_JAVA_OPTS, else bin/sidecar's), to compare flags
# env AB_PATH (default /1k; the origin also serves /100k and the config's /cached/...), AB_CONNS (default 64)
# env AB_HEADER: a header every measured request carries, e.g. "Connection: close" (a new connection per request)
# env AB_CHURN (default 40): one-second wrk -c256 bursts of new connections after the 20 s warm-up, so the JIT has
# compiled connection set-up too (run.sh --jvm-churn says why)
# env SIDECAR_CPUS, LOAD_CPUS (default: all cores): cores of the sidecar JVM and of wrk + origin; 0 and 1 measures
# run.sh --pinned's layout (the sidecar then runs one event loop).
# Ports 27080 (origin), 27100 (sidecar), 27200 (admin) on 127.0.0.1; everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -ge 2 ] || { sed -n '2,15p' "$0"; exit 2; }
jars=("$1" "$2"); rounds="${3:-3}"
all_cpus="0-$(( $(nproc) - 1 ))"
sidecar_cpus="${SIDECAR_CPUS:-$all_cpus}"; load_cpus="${LOAD_CPUS:-$all_cpus}"
path="${AB_PATH:-/1k}"; conns="${AB_CONNS:-64}"
# shellcheck source=common.sh
. "$here/common.sh"
bench_ports_free 27080 27100 27200
bench_workdir loadtest-ab
bench_origin 27080
taskset -c "$load_cpus" nginx -p "$work" -c "$work/origin.conf" & started+=($!)
sleep 1
hz=$(getconf CLK_TCK)
opts="${SIDECAR_JAVA_OPTS:--XX:+UseParallelGC -Xms32m -Xmx160m -XX:MaxNewSize=40m -XX:MaxDirectMemorySize=384m}"
side_opts=("${OPTS_A:-$opts}" "${OPTS_B:-$opts}")
for ((round = 1; round <= rounds; round++)); do
  for side in 0 1; do
    target="${jars[$side]}"; jar="${target%%:*}"; config="$here/sidecar-bench.yaml"
    [[ "$target" == *:* ]] && config="${target#*:}"
    # shellcheck disable=SC2086
    LT_LISTEN=127.0.0.1:27100 LT_ADMIN=127.0.0.1:27200 LT_ORIGIN=127.0.0.1:27080 SIDECAR_ADMIN_TOKEN=ab \
      taskset -c "$sidecar_cpus" java ${side_opts[$side]} -jar "$jar" run --config "$config" >"$work/logs/sidecar.log" 2>&1 &
    pid=$!; started+=($pid)
    for _ in $(seq 150); do curl -fsS -o /dev/null http://127.0.0.1:27100/1k 2>/dev/null && break; sleep 0.2; done
    taskset -c "$load_cpus" wrk -t1 -c"$conns" -d20s "http://127.0.0.1:27100$path" >/dev/null
    for ((i = 0; i < ${AB_CHURN:-40}; i++)); do taskset -c "$load_cpus" wrk -t1 -c256 -d1s "http://127.0.0.1:27100/1k" >/dev/null; done
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    out=$(taskset -c "$load_cpus" wrk -t1 -c"$conns" -d10s --latency ${AB_HEADER:+-H "$AB_HEADER"} "http://127.0.0.1:27100$path")
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    printf 'round %d %s %-58s rps %10s  p99 %8s  cpu %s us/req\n' "$round" "$([ "$side" = 0 ] && echo A || echo B)" "$target" \
      "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
      "$(awk -v t=$((after - before)) -v hz="$hz" -v n="$n" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
