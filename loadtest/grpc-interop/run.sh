#!/usr/bin/env bash
# gRPC's own interop test cases (grpc-java's TestServiceClient against its TestServiceServer), run directly and
# through the sidecar: on an h2c listener, and on a TLS listener (ALPN h2, gRPC's test certificate) with the
# cluster speaking h2c to the server. Prints one line per case and listener and exits 1 if a case passes directly
# but not through the sidecar. Ports 28960-28963 on 127.0.0.1. About 3 minutes.
#
#   loadtest/grpc-interop/run.sh [SIDECAR_JAR]     (default sidecar/target/sidecar.jar; build it first)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
jar=${1:-$root/sidecar/target/sidecar.jar}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$root/mvnw" -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp=$(cat "$work/cp.txt")
testing_jar=$(tr ':' '\n' < "$work/cp.txt" | grep '/grpc-testing-[0-9.]*\.jar$' | head -1)
(cd "$work" && unzip -q -o "$testing_jar" 'certs/*')

cat > "$work/sidecar.yaml" <<YAML
admin: { address: "127.0.0.1:28962" }
listeners:
  - { name: plain, address: "127.0.0.1:28961" }
  - { name: secure, address: "127.0.0.1:28963", tls: { cert: $work/certs/server1.pem, key: $work/certs/server1.key } }
routes:
  - { name: grpc, listener: plain, cluster: interop, timeout: 0s }
  - { name: grpc-tls, listener: secure, cluster: interop, timeout: 0s }
clusters: [ { name: interop, protocol: h2c, endpoints: [ "127.0.0.1:28960" ] } ]
YAML

java -cp "$cp" io.grpc.testing.integration.TestServiceServer --port=28960 --use_tls=false > "$work/server.log" 2>&1 &
pids+=($!)
java -jar "$jar" run --config "$work/sidecar.yaml" > "$work/sidecar.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  grep -q ready "$work/sidecar.log" 2>/dev/null && (echo > /dev/tcp/127.0.0.1/28960) 2>/dev/null && break
  sleep 0.2
done

# Every case grpc-java's client has that needs no cloud credentials or several servers. cacheable_unary and the
# client_compressed ones fail against grpc-java's own server as well (it implements neither).
cases="empty_unary large_unary server_compressed_unary client_streaming server_streaming server_compressed_streaming
ping_pong empty_stream custom_metadata status_code_and_message special_status_message unimplemented_method
unimplemented_service cancel_after_begin cancel_after_first_response timeout_on_sleeping_server very_large_request
rpc_soak channel_soak"
soak=(--soak_iterations=200 --soak_max_failures=0 --soak_per_iteration_max_acceptable_latency_ms=2000
      --soak_overall_timeout_seconds=120)

run_case() { # name port extra-args...
  local name=$1 port=$2; shift 2
  timeout 180 java -cp "$cp" io.grpc.testing.integration.TestServiceClient --server_host=127.0.0.1 \
    --server_port="$port" --test_case="$name" "${soak[@]}" "$@" > "$work/case.log" 2>&1 \
    && grep -q "Test completed" "$work/case.log"
}

failed=0; passed=0
for c in $cases; do
  direct=fail; plain=fail; tls=fail
  run_case "$c" 28960 --use_tls=false && direct=pass
  run_case "$c" 28961 --use_tls=false && plain=pass
  run_case "$c" 28963 --use_tls=true --use_test_ca=true --server_host_override=foo.test.google.fr && tls=pass
  printf '%-30s direct %-4s  sidecar h2c %-4s  sidecar TLS %s\n' "$c" "$direct" "$plain" "$tls"
  if [ "$direct" = pass ]; then
    if [ "$plain" = pass ] && [ "$tls" = pass ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  fi
done
echo "through the sidecar: $passed cases pass on both listeners, $failed fail that pass directly"
[ "$failed" -eq 0 ]
