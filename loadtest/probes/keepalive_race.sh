#!/usr/bin/env bash
# The keep-alive race: an upstream that closes an idle connection at exactly the timeout it announces
# (Keep-Alive: timeout=N) against a client POSTing every N seconds (± 2 ms) on one connection. A request that reaches
# a pooled upstream connection just as the upstream closes it is lost with it, and a POST may not be sent again
# (502). Runs, all at once: the sidecar's byte-level path, its full path (fast_path: false) and nginx as a proxy
# (keepalive 16, which does not read the field), and prints the statuses each got.
#
#   loadtest/probes/keepalive_race.sh [COUNT] [SECONDS]     (default 50 POSTs, 2 s: about two minutes)
#
# env SIDECAR_JAR (default sidecar/target/sidecar.jar, built when missing). Needs python3 and nginx (Debian's).
# Ports 28190-28196 on 127.0.0.1; everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
count="${1:-50}"
seconds="${2:-2}"
# shellcheck source=../lib/loopback.sh
. "$here/../lib/loopback.sh"
lt_trap_cleanup
lt_require_free_ports 28190 28191 28192 28193 28194 28195
work="$(mktemp -d /tmp/keepalive-race.XXXXXX)"
jar="$(lt_private_sidecar_jar "$work")"

lt_start "$work/upstream.log" python3 "$here/keepalive_upstream.py" 28190 "$seconds"
for path in fast full; do
  port=$([ $path = fast ] && echo 28191 || echo 28192)
  admin=$([ $path = fast ] && echo 28194 || echo 28195)
  cat >"$work/$path.yaml" <<YAML
admin: { address: "127.0.0.1:$admin" }
server: { fast_path: $([ $path = fast ] && echo true || echo false) }
listeners: [ { name: in, address: "127.0.0.1:$port" } ]
routes: [ { name: all, cluster: app } ]
clusters: [ { name: app, endpoints: [ "127.0.0.1:28190" ] } ]
YAML
  # shellcheck disable=SC2086
  lt_start "$work/$path.log" java $SIDECAR_JAVA_OPTS -jar "$jar" run --config "$work/$path.yaml"
done
mkdir -p "$work/logs"
cat >"$work/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/logs/error.log warn;
events { worker_connections 1024; }
http { access_log off;
  upstream app { server 127.0.0.1:28190; keepalive 16; }
  server { listen 127.0.0.1:28193; proxy_http_version 1.1; proxy_set_header Connection "";
    location / { proxy_pass http://app; } } }
CONF
lt_start "$work/nginx.log" nginx -p "$work" -c "$work/nginx.conf"
for port in 28191 28192 28193; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done
echo "$count POSTs every ${seconds} s ± 2 ms, upstream closing idle connections at exactly ${seconds} s:" >&2
pids=()
for target in "sidecar-byte-level-path 28191" "sidecar-full-path 28192" "nginx 28193"; do
  set -- $target
  python3 "$here/post_every.py" "$2" "$count" "$seconds" 0.002 11 >"$work/$1.out" &
  pids+=($!)
done
wait "${pids[@]}"
for name in sidecar-byte-level-path sidecar-full-path nginx; do printf '%-24s %s\n' "$name" "$(cat "$work/$name.out")"; done
rm -rf "$work"
