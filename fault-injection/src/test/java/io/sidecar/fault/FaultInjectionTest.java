package io.sidecar.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.fault.experiment.ExperimentState;
import io.sidecar.fault.experiment.RouteSignals;
import io.sidecar.fault.parse.ExperimentSpecParser;
import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.parse.FieldError;
import io.sidecar.fault.tcp.TcpProxySpec;
import io.sidecar.fault.tcp.ToxicSpec;
import io.sidecar.fault.tcp.ToxicStream;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The production wiring with real Vert.x timers and the system clock. */
class FaultInjectionTest {

  @Test
  void experimentExpiresOnRealTimersAndStopAllClearsFaultsAndToxics() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      FaultInjectionConfig config = FaultInjectionConfigParser.parse(
          Map.of("seed", 7, "evaluation_interval", "50ms"), "fault_injection").orThrow();
      FaultInjection fi = FaultInjection.create(vertx, config, RouteSignals.NONE, new InMemoryAuditLog());
      SimpleRequestView req = SimpleRequestView.of("api", "GET", "/");

      var exp = fi.experiments().start(ExperimentSpecParser.parse(Map.of("name", "short",
          "faults", List.of(Map.of("name", "a", "route", "api", "abort", Map.of("status", 503))),
          "duration", "300ms", "blast_radius", 100), "").orThrow(), "alice");
      assertThat(fi.registry().decide(req).abort()).isNotNull();
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (fi.registry().activeCount() > 0 && System.nanoTime() < end) Thread.sleep(10);
      assertThat(fi.registry().decide(req)).isSameAs(FaultDecision.NO_FAULT);
      assertThat(fi.experiments().get(exp.id()).orElseThrow().state()).isEqualTo(ExperimentState.ENDED);

      fi.registry().add(FaultSpecParser.parse(Map.of("name", "b", "abort", Map.of("status", 500)), "").orThrow(), "bob");
      fi.tcpProxies().create(new TcpProxySpec("p", "127.0.0.1", 0, "127.0.0.1", 6379, List.of()), "bob").await(30, TimeUnit.SECONDS);
      fi.tcpProxies().addToxic("p", ToxicSpec.latency("l", ToxicStream.DOWNSTREAM, Duration.ofMillis(10), Duration.ZERO), "bob");
      assertThat(fi.stopAll("ops")).isEqualTo(2);
      assertThat(fi.registry().decide(req)).isSameAs(FaultDecision.NO_FAULT);
      assertThat(fi.tcpProxies().get("p").orElseThrow().toxics()).isEmpty();
      assertThat(fi.audit().recent(50)).extracting(AuditEvent::action).contains("stop-all", "toxic.clear-all", "experiment.end");
      fi.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void configParserDefaultsAndErrors() {
    FaultInjectionConfig d = FaultInjectionConfigParser.parse(null, "fault_injection").orThrow();
    assertThat(d.registry().maxActiveFaults()).isEqualTo(FaultRegistryConfig.DEFAULT_MAX_ACTIVE_FAULTS);
    assertThat(d.registry().headerFaults().enabled()).isFalse();
    var bad = FaultInjectionConfigParser.parse(Map.of("max_active_faults", 0, "evaluation_interval", "-1s",
        "header_faults", Map.of("enabled", "yes")), "fault_injection");
    assertThat(bad.errors()).extracting(FieldError::path).containsExactlyInAnyOrder(
        "fault_injection.max_active_faults", "fault_injection.evaluation_interval", "fault_injection.header_faults.enabled");
  }
}
