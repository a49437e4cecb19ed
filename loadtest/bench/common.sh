# Shell shared by ab.sh and cpu_split.sh (sourced): free-port check, the nginx origin's files, and a work directory
# whose processes are stopped and which is removed on exit. run.sh keeps its own, richer set-up.

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
# static files) on 127.0.0.1:PORT; start it with: nginx -p "$work" -c "$work/origin.conf"
bench_origin() {
  head -c 1024 /dev/zero | tr '\0' 'a' >"$work/html/1k"
  head -c 102400 /dev/zero | tr '\0' 'b' >"$work/html/100k"
  cat >"$work/origin.conf" <<CONF
worker_processes 1; user root; daemon off; pid $work/origin.pid; error_log $work/logs/origin.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000; default_type text/plain;
  server { listen 127.0.0.1:$1 reuseport backlog=4096; root $work/html; location / { expires 1h; } } }
CONF
}

# The Netty properties Main sets for the sidecar (Main.nettyDefaults), for the floor relays, which run without Main,
# so they stay a like-for-like baseline
BENCH_FLOOR_NETTY_OPTS="-Dio.netty.jfr.enabled=false -Dio.netty.allocator.lowMemory=false"
