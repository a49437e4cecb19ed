package io.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  /** One listener, one route, one cluster: the smallest valid config, for tests of one other section. */
  @Test
  void plainListenersSpeakH2cUnlessTurnedOffAndTlsListenersRefuseTheKey() throws Exception {
    assertThat(loader.parse(MINIMAL).listeners().get(0).h2c()).isTrue();
    assertThat(loader.parse(MINIMAL.replace("address: 127.0.0.1:15001", "address: 127.0.0.1:15001, h2c: false"))
        .listeners().get(0).h2c()).isFalse();
    java.nio.file.Path pem = java.nio.file.Files.createTempFile("listener", ".pem");
    try {
      String tls = MINIMAL.replace("address: 127.0.0.1:15001",
          "address: 127.0.0.1:15001, h2c: false, tls: { cert: " + pem + ", key: " + pem + " }");
      assertThatThrownBy(() -> loader.parse(tls))
          .isInstanceOf(ConfigException.class)
          .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
              .containsExactly("listeners[0].h2c (line 1): applies to plain listeners only (TLS listeners offer h2 by ALPN)"));
    } finally {
      java.nio.file.Files.delete(pem);
    }
  }

  @Test
  void downstreamIdleTimeoutDefaultsToAnHourAndZeroTurnsItOff() throws Exception {
    assertThat(loader.parse(MINIMAL).server().idleTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(loader.parse("server: { idle_timeout: 0s }\n" + MINIMAL).server().idleTimeout()).isZero();
    assertThat(loader.parse("server: { idle_timeout: 90s }\n" + MINIMAL).server().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void aRouteTimeoutOfZeroMeansNoneAndNegativeIsRefused() throws Exception {
    String noTimeout = MINIMAL.replace("{ name: r, cluster: c }",
        "{ name: r, cluster: c, timeout: 0s, retry: { per_try_timeout: 2s } }");
    RouteSpec route = loader.parse(noTimeout).routes().get(0);
    assertThat(route.hasTimeout()).isFalse();
    assertThat(route.retry().perTryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(loader.parse(MINIMAL).routes().get(0).hasTimeout()).isTrue();
    assertThatThrownBy(() -> loader.parse(MINIMAL.replace("{ name: r, cluster: c }", "{ name: r, cluster: c, timeout: -1s }")))
        .isInstanceOf(ConfigException.class);
  }

  private static final String MINIMAL = """
        listeners: [ { name: in, address: 127.0.0.1:15001 } ]
        routes: [ { name: r, cluster: c } ]
        clusters: [ { name: c, endpoints: [ 127.0.0.1:8080 ] } ]
        """;

  private final ConfigLoader loader = new ConfigLoader(new EnvSubstitution(Map.of("HOSTNAME", "pod-7")::get), List.of());

  @Test
  void acceptsTheContractExample() throws Exception {
    SidecarConfig config = loader.load(Path.of("examples/sidecar.example.yaml"));
    assertThat(config.service()).isEqualTo("checkout");
    assertThat(config.instance()).isEqualTo("pod-7");
    assertThat(config.admin().address()).isEqualTo(new HostPort("127.0.0.1", 9901));
    assertThat(config.admin().token()).isEmpty();
    assertThat(config.listeners()).extracting(ListenerSpec::name).containsExactly("inbound", "outbound");
    RouteSpec catalog = config.route("catalog-api").orElseThrow();
    assertThat(catalog.match().pathPrefix()).isEqualTo("/catalog/");
    assertThat(catalog.match().methods()).containsExactlyInAnyOrder("GET", "HEAD");
    assertThat(catalog.rewritePrefix()).isEqualTo("/");
    assertThat(catalog.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(catalog.retry().attempts()).isEqualTo(2);
    assertThat(catalog.retry().perTryTimeout()).isEqualTo(Duration.ofMillis(800));
    assertThat(catalog.cache().maxObjectSize()).isEqualTo(1024 * 1024);
    RouteSpec payments = config.route("payments").orElseThrow();
    assertThat(payments.split()).containsExactly(new RouteSpec.WeightedCluster("payments-v1", 90),
        new RouteSpec.WeightedCluster("payments-v2", 10));
    assertThat(payments.match().headers()).singleElement()
        .satisfies(h -> assertThat(h.test("acme")).isTrue())
        .satisfies(h -> assertThat(h.test("other")).isFalse());
    ClusterSpec cluster = config.cluster("catalog").orElseThrow();
    assertThat(cluster.balancer()).isEqualTo("predictive");
    assertThat(cluster.endpoints()).extracting(ClusterSpec.EndpointSpec::weight).containsExactly(1, 2);
    assertThat(cluster.circuitBreaker().openFor()).isEqualTo(Duration.ofSeconds(10));
    assertThat(cluster.outlierDetection().consecutive5xx()).isEqualTo(5);
    assertThat(config.faults()).hasSize(2);
    assertThat(config.cache().l1MaxSize()).isEqualTo(256L * 1024 * 1024);
    assertThat(config.cache().l2Redis()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(config.predictor().cooldown()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.storage().postgres()).startsWith("postgresql://");
  }

  @Test
  void reportsEveryErrorWithPathAndLine() {
    String yaml = """
        listeners:
          - name: in
            address: 127.0.0.1:15001
        routes:
          - name: r1
            cluster: missing
            timeout: fast
        clusters:
          - name: c1
            balancer: random
            endpoints:
              - { address: 127.0.0.1:80 }
              - { address: 127.0.0.1:70000 }
        """;
    assertThatThrownBy(() -> loader.parse(yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
            .containsExactlyInAnyOrder(
                "clusters[0].balancer (line 10): unknown value 'random' (expected one of: round_robin, "
                    + "weighted_round_robin, least_request, p2c_peak_ewma, predictive)",
                "clusters[0].endpoints[1].address.port (line 13): must be 1..65535, got 70000",
                "routes[0].cluster (line 6): no cluster named 'missing'",
                "routes[0].timeout (line 7): 'fast' is not a duration (use a unit: 250ms, 2s, 5m, 1h)"));
  }

  @Test
  void theResilientExampleParsesWithItsHealthCheck() throws Exception {
    SidecarConfig config = loader.load(Path.of("examples/resilient-outbound.yaml"));
    ClusterSpec catalog = config.cluster("catalog").orElseThrow();
    assertThat(catalog.healthCheck().path()).isEqualTo("/healthz");
    assertThat(catalog.healthCheck().intervalJitter()).isEqualTo(Duration.ofMillis(500));
    assertThat(catalog.healthCheck().expectedStatuses()).containsExactly(new HealthCheckSpec.StatusRange(200, 299));
    assertThat(catalog.outlierDetection().enforcingFailurePercentage()).isEqualTo(100);
  }

  @Test
  void outlierDetectionFailurePercentageKeys() throws Exception {
    String yaml = """
        listeners: [ { name: in, address: 127.0.0.1:15001 } ]
        routes: [ { name: r, cluster: c } ]
        clusters:
          - name: c
            endpoints: [ 127.0.0.1:8080 ]
            outlier_detection:
              failure_percentage_threshold: 70
              enforcing_failure_percentage: 100
              failure_percentage_minimum_hosts: 3
              failure_percentage_request_volume: 20
              enforcing_consecutive_gateway_failure: 100
              successful_active_health_check_uneject_host: false
          - name: d
            endpoints: [ 127.0.0.1:8081 ]
            outlier_detection: { consecutive_5xx: 3 }
        """;
    SidecarConfig config = loader.parse(yaml);
    OutlierDetectionSpec o = config.cluster("c").orElseThrow().outlierDetection();
    assertThat(o.failurePercentageThreshold()).isEqualTo(70);
    assertThat(o.enforcingFailurePercentage()).isEqualTo(100);
    assertThat(o.failurePercentageMinimumHosts()).isEqualTo(3);
    assertThat(o.failurePercentageRequestVolume()).isEqualTo(20);
    assertThat(o.enforcingConsecutiveGatewayFailure()).isEqualTo(100);
    assertThat(o.successfulActiveHealthCheckUnejectHost()).isFalse();
    OutlierDetectionSpec defaults = config.cluster("d").orElseThrow().outlierDetection();
    assertThat(defaults.failurePercentageThreshold()).isEqualTo(85);
    assertThat(defaults.enforcingFailurePercentage()).isZero();
    assertThat(defaults.failurePercentageMinimumHosts()).isEqualTo(5);
    assertThat(defaults.failurePercentageRequestVolume()).isEqualTo(50);
    assertThat(defaults.enforcingConsecutive5xx()).isEqualTo(100);
    assertThat(defaults.enforcingSuccessRate()).isEqualTo(100);
    assertThat(defaults.successfulActiveHealthCheckUnejectHost()).isTrue();
    assertThat(config.cluster("d").orElseThrow().healthCheck()).isNull();
  }

  @Test
  void toxiproxyApiIsOffUnlessPresentAndDefaultsToToxiproxysPortOnLoopback() throws Exception {
    assertThat(loader.parse(MINIMAL).toxiproxyApi()).isNull();
    assertThat(loader.parse("toxiproxy_api: {}\n" + MINIMAL).toxiproxyApi().address())
        .isEqualTo(new HostPort("127.0.0.1", 8474));
    assertThat(loader.parse("toxiproxy_api: { address: \"0.0.0.0:18474\" }\n" + MINIMAL).toxiproxyApi().address())
        .isEqualTo(new HostPort("0.0.0.0", 18474));
    assertThatThrownBy(() -> loader.parse("admin: { address: 127.0.0.1:9901 }\n"
        + "toxiproxy_api: { address: 127.0.0.1:9901, token: x }\n" + MINIMAL))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
            .containsExactly("toxiproxy_api.token (line 2): unknown field (known: address)",
                "toxiproxy_api.address (line 2): the admin API uses 127.0.0.1:9901"));
    assertThatThrownBy(() -> loader.parse("toxiproxy_api: { address: 127.0.0.1:15001 }\n" + MINIMAL))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("toxiproxy_api.address (line 1): listener in uses 127.0.0.1:15001");
  }

  /** With SO_REUSEPORT two of our servers on one address both bind and split connections, so the config refuses. */
  @Test
  void serversMayNotShareAnAddressNorOverlapAWildcard() {
    assertThatThrownBy(() -> loader.parse("""
        admin: { address: 127.0.0.1:9901 }
        listeners:
          - { name: in, address: "127.0.0.1:9901" }
          - { name: all, address: "0.0.0.0:15001" }
          - { name: local, address: "127.0.0.1:15001" }
          - { name: six, address: "[::1]:15002" }
          - { name: again, address: "[::1]:15002" }
        routes: [ { name: r, listener: in, cluster: c } ]
        clusters: [ { name: c, endpoints: [ 127.0.0.1:8080 ] } ]
        """))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString).containsExactly(
            "listeners[0].address (line 3): the admin API uses 127.0.0.1:9901",
            "listeners[2].address (line 5): listener all uses 0.0.0.0:15001",
            "listeners[4].address (line 7): listener six uses [::1]:15002"));
    assertThatThrownBy(() -> loader.parse("toxiproxy_api: { address: \"0.0.0.0:15001\" }\n" + MINIMAL))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("toxiproxy_api.address (line 1): listener in uses 127.0.0.1:15001");
  }

  @Test
  void serverTransportIsAutoByDefaultAndTakesANamedOne() throws Exception {
    assertThat(loader.parse(MINIMAL).server().transport()).isEqualTo(ServerSpec.Transport.AUTO);
    assertThat(loader.parse("server: { transport: io_uring }\n" + MINIMAL).server().transport())
        .isEqualTo(ServerSpec.Transport.IO_URING);
    assertThatThrownBy(() -> loader.parse("server:\n  transport: dpdk\n" + MINIMAL))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
            .containsExactly("server.transport (line 2): unknown value 'dpdk' (expected one of: auto, io_uring, epoll, nio)"));
  }

  @Test
  void pathNormalisationIsOnByDefaultAndCanBeTurnedOff() throws Exception {
    assertThat(loader.parse(MINIMAL).server().normalizePath()).isTrue();
    assertThat(loader.parse("server: { normalize_path: false }\n" + MINIMAL).server().normalizePath()).isFalse();
  }

  @Test
  void requestHeaderTimeoutIsNginxsSixtySecondsByDefaultAndZeroTurnsItOff() throws Exception {
    assertThat(loader.parse(MINIMAL).server().requestHeaderTimeout()).isEqualTo(java.time.Duration.ofSeconds(60));
    assertThat(loader.parse("server: { request_header_timeout: 10s }\n" + MINIMAL).server().requestHeaderTimeout())
        .isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(loader.parse("server: { request_header_timeout: 0s }\n" + MINIMAL).server().requestHeaderTimeout())
        .isZero();
    assertThatThrownBy(() -> loader.parse("server:\n  request_header_timeout: -1s\n" + MINIMAL))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.request_header_timeout (line 2)");
  }

  @Test
  void maxConnectionsIsAutoByDefaultOrAPositiveNumber() throws Exception {
    assertThat(loader.parse(MINIMAL).server().maxConnections()).isZero();
    assertThat(loader.parse("server: { max_connections: auto }\n" + MINIMAL).server().maxConnections()).isZero();
    assertThat(loader.parse("server: { max_connections: 10_000 }\n" + MINIMAL).server().maxConnections()).isEqualTo(10_000);
    for (String bad : new String[] {"0", "-5", "lots"}) {
      assertThatThrownBy(() -> loader.parse("server:\n  max_connections: " + bad + "\n" + MINIMAL))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("server.max_connections (line 2)");
    }
  }

  @Test
  void reusePortIsOnByDefaultAndCanBeTurnedOff() throws Exception {
    assertThat(loader.parse(MINIMAL).server().reusePort()).isTrue();
    assertThat(loader.parse("server: { reuse_port: false }\n" + MINIMAL).server().reusePort()).isFalse();
    assertThatThrownBy(() -> loader.parse("server:\n  reuse_port: sometimes\n" + MINIMAL))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.reuse_port (line 2)");
  }

  @Test
  void cacheL1BoundsItsHeapAutomaticallyOrAsConfigured() throws Exception {
    assertThat(loader.parse(MINIMAL).cache().l1MaxHeap()).isZero();
    assertThat(loader.parse("cache: { l1: { max_size: 1GiB, max_heap: 64MiB } }\n" + MINIMAL).cache())
        .satisfies(c -> assertThat(c.l1MaxSize()).isEqualTo(1L << 30))
        .satisfies(c -> assertThat(c.l1MaxHeap()).isEqualTo(64L << 20));
    assertThatThrownBy(() -> loader.parse("cache:\n  l1:\n    max_heap: lots\n" + MINIMAL))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
            .singleElement().asString().startsWith("cache.l1.max_heap (line 3): "));
  }

  @Test
  void outlierDetectionFailurePercentageErrorsCarryThePath() {
    String yaml = """
        listeners: [ { name: in, address: 127.0.0.1:15001 } ]
        routes: [ { name: r, cluster: c } ]
        clusters:
          - name: c
            endpoints: [ 127.0.0.1:8080 ]
            outlier_detection:
              failure_percentage_threshold: 101
              enforcing_failure_percentage: -1
              failure_percentage_request_volume: 0
        """;
    assertThatThrownBy(() -> loader.parse(yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
            .containsExactlyInAnyOrder(
                "clusters[0].outlier_detection.failure_percentage_threshold (line 7): must be 0..100, got 101",
                "clusters[0].outlier_detection.enforcing_failure_percentage (line 8): must be 0..100, got -1",
                "clusters[0].outlier_detection.failure_percentage_request_volume (line 9): must be 1..10000000, got 0"));
  }

  @Test
  void healthCheckWithDefaultsAndRanges() throws Exception {
    String yaml = """
        listeners: [ { name: in, address: 127.0.0.1:15001 } ]
        routes: [ { name: r, cluster: c } ]
        clusters:
          - name: c
            endpoints: [ 127.0.0.1:8080 ]
            health_check:
              path: /healthz
              interval: 2s
              timeout: 250ms
              interval_jitter: 100ms
              unhealthy_threshold: 4
              healthy_threshold: 1
              expected_statuses: [ 200-299, 304 ]
              retriable_statuses: [ 503 ]
              host: health.local
          - name: d
            endpoints: [ 127.0.0.1:8081 ]
            health_check: { path: /ready }
        """;
    SidecarConfig config = loader.parse(yaml);
    HealthCheckSpec h = config.cluster("c").orElseThrow().healthCheck();
    assertThat(h.path()).isEqualTo("/healthz");
    assertThat(h.host()).isEqualTo("health.local");
    assertThat(h.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(h.timeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(h.intervalJitter()).isEqualTo(Duration.ofMillis(100));
    assertThat(h.unhealthyInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(h.unhealthyThreshold()).isEqualTo(4);
    assertThat(h.healthyThreshold()).isEqualTo(1);
    assertThat(h.expectedStatuses()).containsExactly(new HealthCheckSpec.StatusRange(200, 299),
        new HealthCheckSpec.StatusRange(304, 304));
    assertThat(h.retriableStatuses()).containsExactly(new HealthCheckSpec.StatusRange(503, 503));
    HealthCheckSpec d = config.cluster("d").orElseThrow().healthCheck();
    assertThat(d.host()).isNull();
    assertThat(d.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.intervalJitter()).isEqualTo(Duration.ZERO);
    assertThat(d.unhealthyInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.noTrafficInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(d.unhealthyThreshold()).isEqualTo(3);
    assertThat(d.healthyThreshold()).isEqualTo(2);
    assertThat(d.expectedStatuses()).containsExactly(new HealthCheckSpec.StatusRange(200, 200));
    assertThat(d.retriableStatuses()).isEmpty();
  }

  @Test
  void healthCheckErrorsCarryThePathAndLine() {
    String yaml = """
        listeners: [ { name: in, address: 127.0.0.1:15001 } ]
        routes: [ { name: r, cluster: c } ]
        clusters:
          - name: c
            endpoints: [ 127.0.0.1:8080 ]
            health_check:
              path: healthz
              interval: 0s
              timeout: soon
              unhealthy_threshold: 0
              expected_statuses: [ 399-200, 700, ok ]
              intervl: 1s
          - name: d
            endpoints: [ 127.0.0.1:8081 ]
            health_check: { interval: 1s }
        """;
    assertThatThrownBy(() -> loader.parse(yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
            .containsExactlyInAnyOrder(
                "clusters[0].health_check.path (line 7): must start with /",
                "clusters[0].health_check.interval (line 8): must be greater than 0",
                "clusters[0].health_check.timeout (line 9): 'soon' is not a duration (use a unit: 250ms, 2s, 5m, 1h)",
                "clusters[0].health_check.unhealthy_threshold (line 10): must be 1..1000000, got 0",
                "clusters[0].health_check.expected_statuses (line 11): '399-200' must be a status or range "
                    + "within 100-599, low to high",
                "clusters[0].health_check.expected_statuses (line 11): '700' must be a status or range "
                    + "within 100-599, low to high",
                "clusters[0].health_check.expected_statuses (line 11): 'ok' is not an HTTP status or range "
                    + "(e.g. 200 or 200-399)",
                "clusters[0].health_check.intervl (line 12): unknown field (known: path, host, interval, timeout, "
                    + "interval_jitter, unhealthy_interval, no_traffic_interval, unhealthy_threshold, "
                    + "healthy_threshold, expected_statuses, retriable_statuses)",
                "clusters[1].health_check.path (line 15): is required"));
  }

  @Test
  void theRecurringSpikeDiscountDefaultsToThreeOfSevenDaysWithinThirtyMinutesAndMayBeTurnedOff() throws Exception {
    PredictorSpec defaults = loader.parse(MINIMAL).predictor();
    assertThat(defaults.recurringDays()).isEqualTo(3);
    assertThat(defaults.recurringWindowDays()).isEqualTo(7);
    assertThat(defaults.recurringJitter()).isEqualTo(java.time.Duration.ofMinutes(30));
    assertThat(defaults.recurringJitterSteps()).isEqualTo(-1);
    assertThat(defaults.recurringZone()).isEqualTo(java.time.ZoneOffset.UTC);
    PredictorSpec off = loader.parse(MINIMAL
        + "predictor: { anomaly: { recurring_days: 0, recurring_jitter_steps: 2 } }\n").predictor();
    assertThat(off.recurringDays()).isZero();
    assertThat(off.recurringJitterSteps()).isEqualTo(2);
    assertThat(off.recurringJitter()).isNull();
    assertThatThrownBy(() -> loader.parse(MINIMAL + "predictor: { anomaly: { recurring_days: -1 } }\n"))
        .hasMessageContaining("predictor.anomaly.recurring_days");
  }

  @Test
  void theRecurringSpikeWindowAndJitterAreRead() throws Exception {
    PredictorSpec p = loader.parse(MINIMAL + "predictor: { anomaly: { recurring_days: 4, recurring_window_days: 10, "
        + "recurring_jitter: 45m } }\n").predictor();
    assertThat(p.recurringDays()).isEqualTo(4);
    assertThat(p.recurringWindowDays()).isEqualTo(10);
    assertThat(p.recurringJitter()).isEqualTo(java.time.Duration.ofMinutes(45));
    // a file written before the window existed keeps its days: the window is at least recurring_days
    assertThat(loader.parse(MINIMAL + "predictor: { anomaly: { recurring_days: 10 } }\n").predictor()
        .recurringWindowDays()).isEqualTo(10);
    assertThatThrownBy(() -> loader.parse(MINIMAL
        + "predictor: { anomaly: { recurring_days: 5, recurring_window_days: 4 } }\n"))
        .hasMessageContaining("predictor.anomaly.recurring_window_days")
        .hasMessageContaining("must be at least recurring_days (5)");
    // the two forms of the tolerance are one setting: both is an error naming the older key
    assertThatThrownBy(() -> loader.parse(MINIMAL
        + "predictor: { anomaly: { recurring_jitter: 30m, recurring_jitter_steps: 6 } }\n"))
        .hasMessageContaining("predictor.anomaly.recurring_jitter_steps")
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> loader.parse(MINIMAL + "predictor: { anomaly: { recurring_jitter: 12h } }\n"))
        .hasMessageContaining("predictor.anomaly.recurring_jitter");
    assertThat(loader.parse(MINIMAL + "predictor: { anomaly: { recurring_zone: Europe/Paris } }\n").predictor()
        .recurringZone()).isEqualTo(java.time.ZoneId.of("Europe/Paris"));
    assertThatThrownBy(() -> loader.parse(MINIMAL + "predictor: { anomaly: { recurring_zone: Mars/Olympus } }\n"))
        .hasMessageContaining("predictor.anomaly.recurring_zone")
        .hasMessageContaining("is not a time zone");
  }

  @Test
  void endpointsMayBeGivenAsHostAndPort() {
    String yaml = """
        listeners: [ { name: in, address: 127.0.0.1:15001 } ]
        routes: [ { name: r, cluster: c } ]
        clusters:
          - name: c
            endpoints:
              - { host: 127.0.0.1, port: 0 }
        """;
    assertThatThrownBy(() -> loader.parse(yaml)).hasMessage("clusters[0].endpoints[0].port (line 6): must be 1..65535, got 0");
  }

  @Test
  void advertisedPeerAddressIsHostAndPort() throws Exception {
    assertThat(loader.parse(MINIMAL).predictor().advertise()).isNull();
    assertThat(loader.parse(MINIMAL + "predictor: { peers: { advertise: 10.0.0.7:15001 } }\n").predictor().advertise())
        .isEqualTo(new HostPort("10.0.0.7", 15001));
    assertThatThrownBy(() -> loader.parse(MINIMAL + "predictor: { peers: { advertise: 10.0.0.7:0 } }\n"))
        .hasMessageContaining("predictor.peers.advertise.port (line 4): must be 1..65535, got 0");
  }

  @Test
  void unknownFieldsAreErrors() {
    String yaml = """
        listeners: [ { name: in, address: 127.0.0.1:15001, adress: x } ]
        routes: [ { name: r, cluster: c, timout: 1s } ]
        clusters: [ { name: c, endpoints: [ 127.0.0.1:8080 ] } ]
        """;
    assertThatThrownBy(() -> loader.parse(yaml))
        .hasMessageContaining("listeners[0].adress (line 1): unknown field")
        .hasMessageContaining("routes[0].timout (line 2): unknown field");
  }

  /** SnakeYAML's own duplicate check runs only when it builds Java objects; the tree reader must make its own. */
  @Test
  void aDuplicateKeyIsAnErrorNamingBothLines() {
    String yaml = MINIMAL + """
        routes: [ { name: r2, cluster: c, timeout: 1s, timeout: 2s } ]
        """;
    assertThatThrownBy(() -> loader.parse(yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
            .containsExactly("routes (line 4): duplicate key (first on line 2)"));
    assertThatThrownBy(() -> loader.parse(MINIMAL.replace("{ name: r, cluster: c }", "{ name: r, cluster: c, timeout: 1s, timeout: 2s }")))
        .hasMessageContaining("routes[0].timeout (line 2): duplicate key (first on line 2)");
  }

  @Test
  void anchorsAndMergeKeysWorkAndTopLevelExtensionKeysHoldThem() throws Exception {
    SidecarConfig config = loader.parse("""
        x-route-defaults: &defaults { timeout: 2s, idle_timeout: 1m }
        x-slow: &slow { timeout: 30s }
        listeners: [ { name: in, address: 127.0.0.1:15001 } ]
        routes:
          - { <<: *defaults, name: a, cluster: c, match: { path_prefix: /a } }
          - <<: [ *slow, *defaults ]
            name: b
            cluster: c
          - <<: *defaults
            name: d
            cluster: c
            timeout: 5s
        clusters: [ { name: c, endpoints: [ 127.0.0.1:8080 ] } ]
        """);
    assertThat(config.routes()).extracting(RouteSpec::timeout)
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(5));
    assertThat(config.routes()).extracting(RouteSpec::idleTimeout).containsOnly(Duration.ofMinutes(1));
    // the merged keys are checked like written ones
    assertThatThrownBy(() -> loader.parse(MINIMAL.replace("{ name: r, cluster: c }", "{ <<: { timout: 1s }, name: r, cluster: c }")))
        .hasMessageContaining("routes[0].timout (line 2): unknown field");
    assertThatThrownBy(() -> loader.parse(MINIMAL.replace("{ name: r, cluster: c }", "{ <<: 5, name: r, cluster: c }")))
        .hasMessageContaining("routes[0].<< (line 2): a merge key needs a map or a list of maps");
  }

  @Test
  void anAliasInsideTheNodeItNamesIsAnErrorNotAStackOverflow() {
    String loopingMerge = "x-loop: &a { timeout: 1s, retry: *a }\n"
        + MINIMAL.replace("{ name: r, cluster: c }", "{ <<: *a, name: r, cluster: c }");
    assertThatThrownBy(() -> loader.parse(loopingMerge))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes[0].retry (line 1): an alias refers to a node that contains it");
    assertThatThrownBy(() -> loader.parse("service: &a [ *a ]\n" + MINIMAL))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("service[0] (line 1): an alias refers to a node that contains it");
  }

  @Test
  void environmentVariablesAreSubstituted() throws Exception {
    ConfigLoader withEnv = new ConfigLoader(new EnvSubstitution(Map.of("PORT", "18080", "TOKEN", "s3cret")::get), List.of());
    SidecarConfig config = withEnv.parse("""
        admin: { token: "${TOKEN}", address: "127.0.0.1:${ADMIN_PORT:19901}" }
        listeners: [ { name: in, address: "127.0.0.1:${PORT}" } ]
        routes: [ { name: r, cluster: c } ]
        clusters: [ { name: c, endpoints: [ "127.0.0.1:${UPSTREAM_PORT:8080}" ] } ]
        """);
    assertThat(config.admin().token()).isEqualTo("s3cret");
    assertThat(config.admin().address().port()).isEqualTo(19901);
    assertThat(config.listeners().get(0).address().port()).isEqualTo(18080);
    assertThat(config.clusters().get(0).endpoints().get(0).address().port()).isEqualTo(8080);
    assertThatThrownBy(() -> withEnv.parse("service: ${NOPE}\n"))
        .hasMessageContaining("service (line 1): environment variable NOPE is not set and has no default");
  }

  @Test
  void syntaxErrorsCarryTheLine() {
    assertThatThrownBy(() -> loader.parse("listeners:\n  - name: [unclosed\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("(root) (line 3): invalid YAML");
  }

  @Test
  void pluggedChecksRunOnValidConfigs() {
    ConfigCheck noFaults = (config, root, errors) -> config.faults().forEach(
        f -> errors.add(new ConfigError(f.path() + ".percent", f.get("percent").line(), "too high")));
    ConfigLoader checked = new ConfigLoader(new EnvSubstitution(k -> null), List.of(noFaults));
    assertThatThrownBy(() -> checked.parse("""
        listeners: [ { name: in, address: 127.0.0.1:15001 } ]
        routes: [ { name: r, cluster: c } ]
        clusters: [ { name: c, endpoints: [ 127.0.0.1:8080 ] } ]
        faults:
          - name: f
            percent: 101
        """)).hasMessage("faults[0].percent (line 6): too high");
  }

  @Test
  void effectiveConfigRedactsSecrets() throws Exception {
    ConfigLoader withEnv = new ConfigLoader(new EnvSubstitution(k -> null), List.of());
    SidecarConfig config = withEnv.parse("""
        admin: { token: s3cret }
        listeners: [ { name: in, address: 127.0.0.1:15001 } ]
        routes: [ { name: r, cluster: c, timeout: 1500ms } ]
        clusters: [ { name: c, endpoints: [ 127.0.0.1:8080 ] } ]
        storage: { postgres: "postgresql://app:hunter2@db:5432/x" }
        """);
    String rendered = EffectiveConfig.toPlain(config).toString();
    assertThat(rendered).doesNotContain("s3cret").doesNotContain("hunter2")
        .contains("postgresql://app:<redacted>@db:5432/x").contains("timeout=1500ms");
  }
}
