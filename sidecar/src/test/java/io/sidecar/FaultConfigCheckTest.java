package io.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.config.ConfigError;
import io.sidecar.config.ConfigException;
import io.sidecar.config.ConfigLoader;
import io.sidecar.config.EnvSubstitution;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code faults}, {@code fault_injection} and {@code tcp_proxies} checked as part of the config file. */
class FaultConfigCheckTest {
  private final ConfigLoader loader = new ConfigLoader(new EnvSubstitution(Map.<String, String>of()::get),
      List.of(new FaultConfigCheck()));

  private static final String BASE = """
      admin: { address: 127.0.0.1:27901 }
      toxiproxy_api: { address: 127.0.0.1:27474 }
      listeners: [ { name: in, address: 0.0.0.0:27001 } ]
      routes: [ { name: r, cluster: a } ]
      clusters: [ { name: a, endpoints: [ 127.0.0.1:27080 ] } ]
      tcp_proxies:
      """;

  @Test
  void aTcpProxyMayNotListenWhereOneOfOurServersOrAnEarlierProxyListens() {
    String yaml = BASE + """
        - { name: redis, listen: 127.0.0.1:26379, upstream: 127.0.0.1:6379 }
        - { name: twin, listen: 0.0.0.0:26379, upstream: 127.0.0.1:6379 }
        - { name: on-listener, listen: 127.0.0.1:27001, upstream: 127.0.0.1:6379 }
        - { name: on-admin, listen: 127.0.0.1:27901, upstream: 127.0.0.1:6379 }
        - { name: on-toxiproxy, listen: 127.0.0.1:27474, upstream: 127.0.0.1:6379 }
        - { name: ephemeral-a, listen: 127.0.0.1:0, upstream: 127.0.0.1:6379 }
        - { name: ephemeral-b, listen: 127.0.0.1:0, upstream: 127.0.0.1:6379 }
        - { name: elsewhere, listen: 127.0.0.2:27002, upstream: 127.0.0.1:6379 }
        """;
    assertThatThrownBy(() -> loader.parse(yaml)).isInstanceOfSatisfying(ConfigException.class, e ->
        assertThat(e.errors()).extracting(ConfigError::path, ConfigError::line, ConfigError::message).containsExactly(
            org.assertj.core.groups.Tuple.tuple("tcp_proxies[1].listen", 8, "tcp proxy redis uses 127.0.0.1:26379"),
            org.assertj.core.groups.Tuple.tuple("tcp_proxies[2].listen", 9, "listener in uses 0.0.0.0:27001"),
            org.assertj.core.groups.Tuple.tuple("tcp_proxies[3].listen", 10, "the admin API uses 127.0.0.1:27901"),
            org.assertj.core.groups.Tuple.tuple("tcp_proxies[4].listen", 11,
                "the Toxiproxy API uses 127.0.0.1:27474")));
  }

  @Test
  void proxiesOnAddressesOfTheirOwnAreAccepted() throws Exception {
    assertThat(loader.parse(BASE + """
        - { name: redis, listen: 127.0.0.1:26379, upstream: 127.0.0.1:6379 }
        - { name: pg, listen: 127.0.0.1:25432, upstream: 127.0.0.1:5432 }
        """).tcpProxies()).isNotNull();
  }

  @Test
  void aFaultNamingARouteOrClusterTheFileDoesNotHaveIsRefusedWithItsPathAndLine() {
    String yaml = BASE.replace("tcp_proxies:\n", "") + """
        faults:
          - { name: ok, route: r, cluster: a, percent: 5, abort: { status: 503 } }
          - { name: typo, route: rr, percent: 5, abort: { status: 503 } }
          - name: wrong-cluster
            match: { cluster: b }
            abort: { status: 503 }
        """;
    assertThatThrownBy(() -> loader.parse(yaml)).isInstanceOfSatisfying(ConfigException.class, e ->
        assertThat(e.errors()).extracting(ConfigError::path, ConfigError::line, ConfigError::message).containsExactly(
            org.assertj.core.groups.Tuple.tuple("faults[1].route", 8, "no route named 'rr' in the config (routes: r)"),
            org.assertj.core.groups.Tuple.tuple("faults[2].match.cluster", 10,
                "no cluster named 'b' in the config (clusters: a)")));
  }
}
