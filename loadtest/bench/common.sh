# Shell shared by the bench scripts (sourced): free-port check, the nginx origin's files, the nginx proxy and HAProxy
# configs, and a work directory whose processes are stopped and which is removed on exit. run.sh keeps its own,
# richer set-up but for HAProxy's config.

# bench_ports_free PORT... : exits with a message when one of the ports is taken on this machine
bench_ports_free() {
  local p
  for p in "$@"; do
    if ss -ltnH "sport = :$p" | grep -q .; then echo "port $p is in use" >&2; exit 1; fi
  done
}

# bench_workdir PREFIX : sets $work to a new directory (with html/ and logs/) and arranges that every pid appended to
# the array $started is killed, and $work removed, on exit
bench_workdir() {
  work="$(mktemp -d "/tmp/$1.XXXXXX")"
  mkdir -p "$work/html" "$work/logs"
  started=()
  trap 'for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT
}

# bench_origin PORT : writes $work/html/1k and /100k and $work/origin.conf, an nginx origin (1 worker, keep-alive,
# static files; POST /upload reads and drops the body, whatever its framing, and answers "ok") on 127.0.0.1:PORT;
# start it with: nginx -p "$work" -c "$work/origin.conf"
bench_origin() {
  head -c 1024 /dev/zero | tr '\0' 'a' >"$work/html/1k"
  head -c 102400 /dev/zero | tr '\0' 'b' >"$work/html/100k"
  cat >"$work/origin.conf" <<CONF
worker_processes 1; user root; daemon off; pid $work/origin.pid; error_log $work/logs/origin.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000; default_type text/plain;
  server { listen 127.0.0.1:$1 reuseport backlog=4096; root $work/html; location / { expires 1h; }
    location = /upload { return 200 "ok\\n"; } } }
CONF
}

# The Netty properties Main sets for the sidecar (Main.nettyDefaults), for the floor relays, which run without Main,
# so they stay a like-for-like baseline
BENCH_FLOOR_NETTY_OPTS="-Dio.netty.jfr.enabled=false -Dio.netty.allocator.lowMemory=false"

# bench_haproxy_cfg FILE PORT ORIGIN_PORT THREADS : writes an HAProxy config (http mode, keep-alive on both sides,
# upstream connections reused) proxying 127.0.0.1:PORT to the origin on 127.0.0.1:ORIGIN_PORT with THREADS threads
bench_haproxy_cfg() {
  cat >"$1" <<CONF
global
  nbthread $4
  maxconn 3000
  log stderr format raw local0 err
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
frontend bench
  bind 127.0.0.1:$2
  default_backend origin
backend origin
  server o1 127.0.0.1:$3 maxconn 1024
CONF
}

# bench_nginx_proxy_conf FILE PORT ORIGIN_PORT WORKERS : writes an nginx keep-alive reverse proxy config (upstream
# keepalive, HTTP/1.1 upstream, no cache) from 127.0.0.1:PORT to the origin on 127.0.0.1:ORIGIN_PORT; its pid and
# error log go next to FILE
bench_nginx_proxy_conf() {
  local dir
  dir="$(dirname "$1")"
  cat >"$1" <<CONF
worker_processes $4; user root; daemon off; master_process on; pid $dir/proxy.pid; error_log $dir/proxy-error.log warn;
events { worker_connections 4096; }
http { access_log off; tcp_nodelay on; keepalive_timeout 60s; keepalive_requests 10000000;
  upstream origin { server 127.0.0.1:$3; keepalive 256; keepalive_requests 10000000; }
  server { listen 127.0.0.1:$2 reuseport backlog=4096; proxy_http_version 1.1; proxy_set_header Connection "";
    location / { proxy_pass http://origin; } } }
CONF
}

# bench_peers_and_sidecars JAR... : starts an nginx keep-alive proxy on 27090 and HAProxy on 27091 (both in front of
# the origin on 27080, one worker / thread per core) and a sidecar per JAR on 27100.. (admin 27200..) with
# sidecar-bench.yaml (or CONFIG, for an argument JAR:CONFIG), waiting until each answers (over https when
# BENCH_SIDECAR_SCHEME=https). Sets names, ports and pids (nginx: its master) in that order.
bench_peers_and_sidecars() {
  local opts i port jar config
  bench_nginx_proxy_conf "$work/proxy.conf" 27090 27080 "$(nproc)"
  nginx -p "$work" -c "$work/proxy.conf" & started+=($!); pids=($!)
  bench_haproxy_cfg "$work/haproxy.cfg" 27091 27080 "$(nproc)"
  haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 & started+=($!); pids+=($!)
  names=(nginx haproxy); ports=(27090 27091)
  opts="${SIDECAR_JAVA_OPTS:--XX:+UseParallelGC -Xms32m -Xmx160m -XX:MaxNewSize=40m -XX:MaxDirectMemorySize=384m}"
  for ((i = 0; i < $#; i++)); do
    port=$((27100 + i)); jar="${@:i+1:1}"; config="$here/sidecar-bench.yaml"
    [[ "$jar" == *:* ]] && { config="${jar#*:}"; jar="${jar%%:*}"; }
    # shellcheck disable=SC2086
    LT_LISTEN=127.0.0.1:$port LT_ADMIN=127.0.0.1:$((27200 + i)) LT_ORIGIN=127.0.0.1:27080 SIDECAR_ADMIN_TOKEN=ab \
      java $opts -jar "$jar" run --config "$config" >"$work/logs/sidecar-$i.log" 2>&1 &
    started+=($!); pids+=($!); ports+=("$port"); names+=("sidecar$i")
    for _ in $(seq 150); do
      curl -kfsS -o /dev/null "${BENCH_SIDECAR_SCHEME:-http}://127.0.0.1:$port/1k" 2>/dev/null && break; sleep 0.2
    done
  done
}

# bench_ticks PID : CPU clock ticks of PID and its children (nginx's workers)
bench_ticks() {
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}

# bench_h2load_cell PID URL CONNS STREAMS SECONDS : runs h2load against URL and prints "rps mean-ms
# cpu-us-per-request failed", the CPU being PID's (and its children's) over the run
bench_h2load_cell() {
  local before after out hz
  hz=$(getconf CLK_TCK)
  before=$(bench_ticks "$1")
  out=$(h2load -c"$3" -m"$4" -t1 -D "$5" "$2" 2>&1)
  after=$(bench_ticks "$1")
  awk -v t=$((after - before)) -v hz="$hz" '
    /finished in/ {rps = $4} /^requests:/ {ok = $8; failed = $10 + $12}
    /^time for request:/ {mean = $6; if (mean ~ /us$/) mean = mean / 1000; else if (mean ~ /ms$/) mean = mean + 0; else mean = mean * 1000}
    END {printf "%s %.2f %.1f %d\n", rps, mean, t / hz * 1e6 / ok, failed}' <<<"$out"
}

# bench_median : the median of the numbers on stdin, one per line
bench_median() {
  sort -n | awk '{v[NR] = $1} END {printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# bench_free_peer_ports N : bench_ports_free for the origin, nginx, HAProxy and N sidecars (and their admin ports)
bench_free_peer_ports() {
  local i ports=(27080 27090 27091)
  for ((i = 0; i < $1; i++)); do ports+=($((27100 + i)) $((27200 + i))); done
  bench_ports_free "${ports[@]}"
}

# bench_round_order ROUND : sets order to the indexes of names, reversed every other round
bench_round_order() {
  order=("${!names[@]}")
  if (($1 % 2 == 0)); then mapfile -t order < <(printf '%s\n' "${!names[@]}" | tac); fi
}

# bench_table_header : the header of the per-round table, a column per target in names
bench_table_header() {
  echo "| round | cell | $(printf '%s | ' "${names[@]}")"
  echo "|---|---|$(printf -- '---|%.0s' "${names[@]}")"
}

# bench_round_row RESULTS ROUND KIND FORMAT : one row of that table, each target's cell printed with the awk printf
# FORMAT from the values (fields 4 to 7) of its line "ROUND KIND NAME VALUE..." in RESULTS
bench_round_row() {
  local row="| $2 | $3 |" name
  for name in "${names[@]}"; do
    row+=" $(awk -v r="$2" -v k="$3" -v t="$name" -v f="$4" '$1 == r && $2 == k && $3 == t {printf f, $4, $5, $6, $7}' "$1") |"
  done
  echo "$row"
}

# bench_ratio_summary RESULTS KIND... : per kind, each target's median over rounds of its rate (field 4) to nginx's
bench_ratio_summary() {
  local results=$1 kind name ratios
  shift
  echo
  echo "Median ratio to nginx (rps), per cell:"
  for kind in "$@"; do
    for name in "${names[@]}"; do
      [ "$name" = nginx ] && continue
      ratios=$(awk -v k="$kind" -v t="$name" '$2 == k && $3 == "nginx" {n[$1] = $4} $2 == k && $3 == t {s[$1] = $4}
        END {for (r in s) printf "%.3f\n", s[r] / n[r]}' "$results" | sort -n)
      printf '  %-10s %-8s %s (rounds: %s)\n' "$kind" "$name" "$(bench_median <<<"$ratios")" "$(tr '\n' ' ' <<<"$ratios" | sed 's/ $//')"
    done
  done
}
