package io.sidecar.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.spec.FaultSpec;
import io.sidecar.fault.tcp.TcpProxySpecParser;
import io.sidecar.fault.tcp.ToxicSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecTreesTest {

  @Test
  void faultTreesRoundTripThroughTheParser() {
    List<Map<String, Object>> inputs = List.of(
        Map.of("name", "f1", "route", "api", "percent", 100, "abort", Map.of("status", 503)),
        Map.of("name", "slow", "route", "catalog-api", "percent", 5, "delay", Map.of("fixed", "200ms", "jitter", "50ms")),
        Map.of("name", "n", "methods", List.of("GET"), "path", "/a/**", "headers", Map.of("x-a", Map.of("present", false)),
            "delay", Map.of("lognormal", Map.of("p50", "100ms", "p99", "1s"), "phase", "response"),
            "bandwidth", Map.of("kib_per_second", 1.5), "slicer", Map.of("size", 10, "delay", "1ms"),
            "truncate", Map.of("after_bytes", 10), "slow_close", Map.of("delay", "2s"),
            "patch", Map.of("status", 500, "merge_patch", Map.of("a", 1))),
        Map.of("name", "r", "caller", "x", "abort", Map.of("upstream_unavailable", true)));
    for (Map<String, Object> in : inputs) {
      FaultSpec spec = FaultSpecParser.parse(in, "").orThrow();
      Map<String, Object> tree = SpecTrees.fault(spec);
      assertThat(FaultSpecParser.parse(tree, "").orThrow()).isEqualTo(spec);
    }
  }

  @Test
  void toxicTreesRoundTrip() {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("name", "lat");
    in.put("type", "latency");
    in.put("stream", "upstream");
    in.put("toxicity", 0.5);
    in.put("attributes", Map.of("latency", "1s", "jitter", "10ms"));
    ToxicSpec t = TcpProxySpecParser.parseToxic(in, "").orThrow();
    assertThat(TcpProxySpecParser.parseToxic(SpecTrees.toxic(t), "").orThrow()).isEqualTo(t);
  }
}
