# Shell pieces shared by run-simulation.sh and real-run.sh (sourced, not run). The caller sets `set -euo pipefail`.
# Every process started with lt_start is killed by the EXIT trap that lt_trap_cleanup installs, including on
# Ctrl-C and TERM. Needs: ss, curl.

lt_here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"   # loadtest/
lt_root="$(cd "$lt_here/.." && pwd)"                         # repository root
declare -a lt_started=()

# The JVM flags of the sidecar (default as bin/sidecar).
SIDECAR_JAVA_OPTS="${SIDECAR_JAVA_OPTS:--XX:+UseParallelGC -Xms32m -Xmx160m -XX:MaxNewSize=40m -XX:MaxDirectMemorySize=384m}"
export SIDECAR_ADMIN_TOKEN="${SIDECAR_ADMIN_TOKEN:-loadtest-token}"

# lt_require_free_ports PORT... : exits when one of them is already listening on this machine.
lt_require_free_ports() {
  local port
  for port in "$@"; do
    if ss -ltnH "sport = :$port" | grep -q .; then echo "port $port is in use" >&2; exit 1; fi
  done
}

# lt_private_sidecar_jar DIR : builds sidecar/target/sidecar.jar when missing, copies it to DIR/sidecar.jar and
# prints that path. A private copy, so that another build replacing the jar mid-run cannot break this JVM.
# env SIDECAR_JAR: another jar to copy instead (an older build, for an A/B); it is never built.
lt_private_sidecar_jar() {
  local dir="$1" jar="${SIDECAR_JAR:-$lt_root/sidecar/target/sidecar.jar}"
  if [ -n "${SIDECAR_JAR:-}" ] && [ ! -f "$jar" ]; then echo "SIDECAR_JAR $jar: no such file" >&2; return 1; fi
  if [ ! -f "$jar" ]; then
    echo "building $jar ..." >&2
    (cd "$lt_root" && ./mvnw -B -q -DskipTests package -pl sidecar -am) >&2
  fi
  mkdir -p "$dir"
  cp "$jar" "$dir/sidecar.jar"
  echo "$dir/sidecar.jar"
}

lt_cleanup() {
  local pid
  for pid in "${lt_started[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${lt_started[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}

lt_trap_cleanup() {
  trap lt_cleanup EXIT
  trap 'exit 130' INT TERM
}

# lt_start LOG CMD... : runs CMD in the background with stdout and stderr to LOG; the pid is in $lt_pid.
lt_start() {
  local log="$1"; shift
  "$@" >"$log" 2>&1 &
  lt_pid=$!
  lt_started+=("$lt_pid")
}

# lt_run CMD... : runs CMD and returns its exit status. CMD runs in the background and the shell waits for it:
# bash runs a TERM/INT trap only after a foreground command ends, but interrupts `wait` at once, so an
# interrupted launcher stops everything now instead of after a minute of load.
lt_run() {
  local pid status=0
  "$@" &
  pid=$!
  lt_started+=("$pid")
  wait "$pid" || status=$?
  lt_forget "$pid"
  return $status
}

lt_forget() {
  local -a left=()
  local p
  for p in "${lt_started[@]}"; do [ "$p" = "$1" ] || left+=("$p"); done
  lt_started=("${left[@]}")
}

# lt_stop PID [SECONDS] : TERM, then KILL after SECONDS (default 10); waits until the process is gone.
lt_stop() {
  local pid="$1" grace="${2:-10}" i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  lt_forget "$pid"
}

# lt_start_upstreams LOG SPEC... : TestUpstreams (name:port[:delayMillis[:sigma]]) from loadtest/target/classes,
# waits for its "ready" line.
lt_start_upstreams() {
  local log="$1"; shift
  lt_start "$log" java -Xmx256m -cp "$lt_here/target/classes" io.sidecar.loadtest.TestUpstreams "$@"
  for _ in $(seq 1 100); do grep -q ready "$log" 2>/dev/null && break; sleep 0.1; done
  grep -q ready "$log" || { echo "upstreams did not start:" >&2; cat "$log" >&2; exit 1; }
}

# lt_start_sidecar JAR CONFIG LOG PROBE_URL : starts the sidecar (pid in $sidecar_pid) and waits until PROBE_URL
# answers 2xx (30 s at most); `curl -m 2` so that a hung request cannot hang the launcher.
lt_start_sidecar() {
  local jar="$1" config="$2" log="$3" probe="$4" t0 ready=""
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  lt_start "$log" java $SIDECAR_JAVA_OPTS -jar "$jar" run --config "$config"
  sidecar_pid=$lt_pid
  for _ in $(seq 1 300); do
    if curl -fsS -m 2 -o /dev/null "$probe" 2>/dev/null; then ready=1; break; fi
    kill -0 "$sidecar_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$ready" ] || { echo "sidecar did not serve $probe within 30 s:" >&2; tail -20 "$log" >&2; exit 1; }
  echo "sidecar ready to serve $(( ($(date +%s%N) - t0) / 1000000 )) ms after launch" >&2
}

# lt_sidecar_figures PID LOG : peak RSS, CPU time and blocked-thread warnings of a running sidecar, on one line.
lt_sidecar_figures() {
  local pid="$1" log="$2" rss cpu blocked
  rss=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo "?")
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz}' "/proc/$pid/stat" 2>/dev/null || echo "?")
  blocked=$(grep -c "has been blocked" "$log" || true)
  echo "peak RSS ${rss} MiB, CPU ${cpu} s, blocked-thread warnings ${blocked}"
}
