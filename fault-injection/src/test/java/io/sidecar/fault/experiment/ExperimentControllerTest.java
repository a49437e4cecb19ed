package io.sidecar.fault.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.fault.AuditEvent;
import io.sidecar.fault.FaultDecision;
import io.sidecar.fault.FaultLimitExceededException;
import io.sidecar.fault.FaultRegistry;
import io.sidecar.fault.FaultRegistryConfig;
import io.sidecar.fault.InMemoryAuditLog;
import io.sidecar.fault.SimpleRequestView;
import io.sidecar.fault.parse.ExperimentSpecParser;
import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.parse.FieldError;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentControllerTest {

  private final VirtualTime time = new VirtualTime(Instant.parse("2026-01-01T00:00:00Z"));
  private final InMemoryAuditLog audit = new InMemoryAuditLog();
  private final FaultRegistry registry =
      new FaultRegistry(FaultRegistryConfig.defaults().withSeed(5).withMaxActiveFaults(3), time.clock(), audit);
  private final MutableSignals signals = new MutableSignals();
  private final ExperimentController controller =
      new ExperimentController(ExperimentsConfig.defaults(), registry, signals, time);
  private final SimpleRequestView req = SimpleRequestView.of("api", "GET", "/x");

  static final class MutableSignals implements RouteSignals {
    volatile double errorRate = Double.NaN;
    volatile double p99 = Double.NaN;
    String lastRoute;
    Duration lastWindow;

    @Override
    public double errorRate(String route, Duration window) {
      lastRoute = route;
      lastWindow = window;
      return errorRate;
    }

    @Override
    public double p99Millis(String route, Duration window) {
      return p99;
    }
  }

  private static ExperimentSpec experiment(Map<String, Object> extra) {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("name", "exp");
    tree.put("faults", List.of(Map.of("name", "abort-all", "route", "api", "abort", Map.of("status", 503))));
    tree.put("duration", "5m");
    tree.put("blast_radius", 100);
    tree.putAll(extra);
    return ExperimentSpecParser.parse(tree, "").orThrow();
  }

  @Test
  void experimentExpiresOnTime() {
    ExperimentView v = controller.start(experiment(Map.of()), "alice");
    assertThat(v.state()).isEqualTo(ExperimentState.RUNNING);
    assertThat(v.endsAt()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
    assertThat(registry.decide(req).abort()).isNotNull();
    time.advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(registry.decide(req).abort()).isNotNull();
    time.advance(Duration.ofMillis(1));
    assertThat(registry.decide(req)).isSameAs(FaultDecision.NO_FAULT);
    ExperimentView ended = controller.get(v.id()).orElseThrow();
    assertThat(ended.state()).isEqualTo(ExperimentState.ENDED);
    assertThat(ended.endReason()).isEqualTo("duration elapsed");
    assertThat(ended.endedAt()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
  }

  @Test
  void scheduledStartWaitsForItsTime() {
    ExperimentView v = controller.start(experiment(Map.of("start_in", "10s", "duration", "1m")), "alice");
    assertThat(v.state()).isEqualTo(ExperimentState.SCHEDULED);
    assertThat(registry.decide(req)).isSameAs(FaultDecision.NO_FAULT);
    time.advance(Duration.ofSeconds(10));
    assertThat(controller.get(v.id()).orElseThrow().state()).isEqualTo(ExperimentState.RUNNING);
    assertThat(registry.decide(req).abort()).isNotNull();
    time.advance(Duration.ofMinutes(1));
    assertThat(registry.decide(req)).isSameAs(FaultDecision.NO_FAULT);
  }

  @Test
  void haltConditionFiresWithinOneEvaluationInterval() {
    ExperimentView v = controller.start(experiment(Map.of("halt_conditions",
        List.of(Map.of("error_rate_above", 5, "window", "30s")))), "alice");
    signals.errorRate = 0.04;
    time.advance(Duration.ofSeconds(10));
    assertThat(controller.get(v.id()).orElseThrow().state()).isEqualTo(ExperimentState.RUNNING);
    assertThat(signals.lastRoute).isEqualTo("api");
    assertThat(signals.lastWindow).isEqualTo(Duration.ofSeconds(30));
    time.advance(Duration.ofMillis(300)); // mid-interval
    signals.errorRate = 0.12; // crosses 5 %
    time.advance(ExperimentsConfig.DEFAULT_EVALUATION_INTERVAL);
    assertThat(registry.decide(req)).isSameAs(FaultDecision.NO_FAULT);
    ExperimentView ended = controller.get(v.id()).orElseThrow();
    assertThat(ended.state()).isEqualTo(ExperimentState.ENDED);
    assertThat(ended.endReason()).startsWith("halted: error rate of route api above 5.0%").contains("observed 12.0");
    assertThat(audit.recent(20)).extracting(AuditEvent::action).contains("experiment.end");
  }

  @Test
  void p99HaltConditionAndMissingDataNeverHalts() {
    ExperimentView v = controller.start(experiment(Map.of("halt_conditions",
        List.of(Map.of("p99_above", "300ms", "route", "api")))), "alice");
    time.advance(Duration.ofSeconds(30)); // NaN: no data, no halt
    assertThat(controller.get(v.id()).orElseThrow().state()).isEqualTo(ExperimentState.RUNNING);
    signals.p99 = 450;
    time.advance(Duration.ofSeconds(1));
    assertThat(controller.get(v.id()).orElseThrow().endReason()).contains("p99 of route api above 300.0ms");
  }

  @Test
  void stopAllClearsExperimentsApiAndStaticFaults() {
    registry.replaceStatic(List.of(FaultSpecParser.parse(
        Map.of("name", "static", "route", "other", "abort", Map.of("status", 500)), "").orThrow()), "config");
    controller.start(experiment(Map.of()), "alice");
    ExperimentView scheduled = controller.start(experiment(Map.of("start_in", "1m")), "alice");
    assertThat(registry.activeCount()).isEqualTo(2);
    assertThat(controller.stopAll("ops")).isEqualTo(2);
    assertThat(registry.activeCount()).isZero();
    assertThat(registry.decide(req)).isSameAs(FaultDecision.NO_FAULT);
    assertThat(controller.list()).allSatisfy(e -> {
      assertThat(e.state()).isEqualTo(ExperimentState.ENDED);
      assertThat(e.endReason()).isEqualTo("stop-all by ops");
    });
    time.advance(Duration.ofMinutes(2)); // the scheduled one must not come back
    assertThat(registry.activeCount()).isZero();
    assertThat(controller.get(scheduled.id()).orElseThrow().state()).isEqualTo(ExperimentState.ENDED);
  }

  @Test
  void maxActiveFaultsRefusesAnExperimentThatDoesNotFit() {
    Map<String, Object> f = Map.of("name", "a", "route", "api", "abort", Map.of("status", 503));
    ExperimentSpec big = experiment(Map.of("faults", List.of(f, Map.of("name", "b", "route", "api", "delay", Map.of("fixed", "1ms")),
        Map.of("name", "c", "route", "api", "delay", Map.of("fixed", "1ms")), Map.of("name", "d", "route", "api", "delay", Map.of("fixed", "1ms")))));
    assertThatThrownBy(() -> controller.start(big, "alice")).isInstanceOf(FaultLimitExceededException.class);
    assertThat(controller.list()).isEmpty();
    assertThat(registry.activeCount()).isZero();
  }

  @Test
  void blastRadiusIsEnforcedForAnExperiment() {
    ExperimentView v = controller.start(experiment(Map.of("blast_radius", 20,
        "faults", List.of(Map.of("name", "a", "route", "api", "percent", 100, "abort", Map.of("status", 503))))), "alice");
    int aborted = 0;
    for (int i = 0; i < 1000; i++) if (registry.decide(req).abort() != null) aborted++;
    assertThat(aborted).isEqualTo(200);
    ExperimentView now = controller.get(v.id()).orElseThrow();
    assertThat(now.seen()).isEqualTo(1000);
    assertThat(now.affected()).isEqualTo(200);
    // requests outside the experiment's scope do not count
    registry.decide(SimpleRequestView.of("other", "GET", "/"));
    assertThat(controller.get(v.id()).orElseThrow().seen()).isEqualTo(1000);
  }

  @Test
  void stopOneExperiment() {
    ExperimentView v = controller.start(experiment(Map.of()), "alice");
    assertThat(controller.stop(v.id(), "bob")).get().extracting(ExperimentView::endReason).isEqualTo("stopped by bob");
    assertThat(controller.stop(v.id(), "bob")).isEmpty();
    assertThat(registry.decide(req)).isSameAs(FaultDecision.NO_FAULT);
    assertThat(time.pendingTasks()).isEqualTo(1); // only the evaluator remains
  }

  @Test
  void experimentParserErrorsNameTheField() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("name", "bad");
    tree.put("faults", List.of(Map.of("name", "a", "route", "r1", "abort", Map.of("status", 503)),
        Map.of("name", "b", "route", "r2", "delay", Map.of("fixed", "1s"))));
    tree.put("duration", "0s");
    tree.put("blast_radius", 101);
    tree.put("halt_conditions", List.of(Map.of("error_rate_above", 5)));
    assertThat(ExperimentSpecParser.parse(tree, "").errors()).extracting(FieldError::path).containsExactlyInAnyOrder(
        "duration", "blast_radius", "halt_conditions[0].route");
    tree.put("faults", List.of(Map.of("name", "b", "route", "r2", "delay", Map.of("fixed", "-1s"))));
    tree.put("start_at", "tomorrow");
    assertThat(ExperimentSpecParser.parse(tree, "experiment").errors()).extracting(FieldError::path)
        .containsExactlyInAnyOrder("experiment.faults[0].delay.fixed", "experiment.duration", "experiment.blast_radius",
            "experiment.start_at");
  }
}
