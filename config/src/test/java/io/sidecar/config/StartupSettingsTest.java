package io.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupSettingsTest {
  private final ConfigLoader loader = new ConfigLoader(new EnvSubstitution(Map.<String, String>of()::get), List.of());

  private SidecarConfig config(String extra) throws ConfigException {
    return loader.parse(extra + """
        listeners: [ { name: in, address: "127.0.0.1:15001" } ]
        routes: [ { name: r, cluster: c } ]
        clusters: [ { name: c, endpoints: [ "127.0.0.1:8080" ] } ]
        """);
  }

  @Test
  void routesClustersAndLiveSettingsApplyStartupSettingsWait() throws Exception {
    SidecarConfig started = config("server: { shutdown_grace: 5s }\nadmin: { token: a }\n");
    assertThat(StartupSettings.pendingRestart(started, config("server: { shutdown_grace: 9s }\nadmin: { token: b }\n")))
        .isEmpty();
    assertThat(StartupSettings.pendingRestart(started, config("""
        server: { shutdown_grace: 5s, access_log: stdout, max_request_body: 1MiB, generate_request_id: false,
                  reuse_port: false, request_header_timeout: 10s }
        admin: { token: a, address: "127.0.0.1:9911" }
        cache: { l1: { max_size: 1MiB } }
        tcp_proxies: [ { name: db, listen: "127.0.0.1:25432", upstream: "127.0.0.1:5432" } ]
        """)))
        .containsExactly("admin.address", "server.max_request_body", "server.access_log", "server.generate_request_id",
            "server.reuse_port", "server.request_header_timeout", "cache", "tcp_proxies");
  }

  @Test
  void theStoreReportsWhatWaitsUntilTheValuesAreBackToThoseInForce() throws Exception {
    ConfigStore store = new ConfigStore(config(""), Clock.systemUTC());
    store.accept(config("server: { access_log: stdout }\n"));
    assertThat(store.status().pendingRestart()).containsExactly("server.access_log");
    store.reject(List.of(new ConfigError("x", 1, "bad")));
    assertThat(store.status().pendingRestart()).as("a rejected candidate changes nothing").containsExactly("server.access_log");
    store.accept(config(""));
    assertThat(store.status().pendingRestart()).isEmpty();
  }
}
