package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.config.RouteMatchSpec;
import io.sidecar.config.SidecarConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private record Facts(String host, String path, String method, Map<String, String> headers,
                       Map<String, String> query) implements RequestFacts {
    public String header(String name) { return headers.get(name); }
    public String queryParam(String name) { return query.get(name); }
  }

  private static Facts get(String host, String path) {
    return new Facts(host, path, "GET", Map.of(), Map.of());
  }

  private static RouteMatchSpec match(String yaml) {
    SidecarConfig config = ProxyHarness.parse("""
        listeners: [ { name: in, address: "127.0.0.1:15001" } ]
        routes: [ { name: r, cluster: c, match: %s } ]
        clusters: [ { name: c, endpoints: [ "127.0.0.1:8080" ] } ]
        """.formatted(yaml));
    return config.routes().get(0).match();
  }

  @Test
  void wildcardHostsMatchSubdomainsOnly() {
    RouteMatchSpec m = match("{ hosts: [ \"*.example.com\", api.test ] }");
    assertThat(RouteTable.matches(m, get("a.example.com", "/"))).isTrue();
    assertThat(RouteTable.matches(m, get("x.y.example.com", "/"))).isTrue();
    assertThat(RouteTable.matches(m, get("example.com", "/"))).isFalse();
    assertThat(RouteTable.matches(m, get("badexample.com", "/"))).isFalse();
    assertThat(RouteTable.matches(m, get("api.test", "/"))).isTrue();
    assertThat(RouteTable.matches(m, get("other.test", "/"))).isFalse();
    assertThat(RouteTable.matches(m, get(null, "/"))).isFalse();
  }

  @Test
  void everyConditionMustHold() {
    RouteMatchSpec m = match("{ path_prefix: /api/, methods: [GET], headers: { x-tenant: { exact: acme } } }");
    Facts ok = new Facts("h", "/api/x", "GET", Map.of("x-tenant", "acme"), Map.of());
    assertThat(RouteTable.matches(m, ok)).isTrue();
    assertThat(RouteTable.matches(m, new Facts("h", "/other", "GET", Map.of("x-tenant", "acme"), Map.of()))).isFalse();
    assertThat(RouteTable.matches(m, new Facts("h", "/api/x", "POST", Map.of("x-tenant", "acme"), Map.of()))).isFalse();
    assertThat(RouteTable.matches(m, new Facts("h", "/api/x", "GET", Map.of("x-tenant", "other"), Map.of()))).isFalse();
  }
}
