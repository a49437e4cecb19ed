package io.sidecar.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.spec.AbortSpec;
import io.sidecar.fault.spec.FaultSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultRegistryTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final InMemoryAuditLog audit = new InMemoryAuditLog();

  private FaultRegistry registry(long seed) {
    return new FaultRegistry(FaultRegistryConfig.defaults().withSeed(seed), clock, audit);
  }

  static FaultSpec spec(Map<String, Object> tree) {
    return FaultSpecParser.parse(tree, "").orThrow();
  }

  private static int countAborts(long seed, int n) {
    FaultRegistry r = new FaultRegistry(FaultRegistryConfig.defaults().withSeed(seed),
        Clock.systemUTC(), new InMemoryAuditLog());
    r.add(spec(Map.of("name", "a30", "route", "api", "percent", 30, "abort", Map.of("status", 503))), "test");
    SimpleRequestView req = SimpleRequestView.of("api", "GET", "/x");
    int aborts = 0;
    for (int i = 0; i < n; i++) if (r.decide(req).abort() != null) aborts++;
    return aborts;
  }

  @Test
  void thirtyPercentAbortIsWithinBinomialBoundsAndReproducible() {
    int n = 10_000;
    int first = countAborts(42, n);
    // Binomial(n=10000, p=0.3): mean 3000, sd = sqrt(n p (1-p)) = 45.8; 5 sd = 229.
    assertThat(first).isBetween(3000 - 229, 3000 + 229);
    assertThat(countAborts(42, n)).isEqualTo(first);
    assertThat(countAborts(43, n)).isBetween(3000 - 229, 3000 + 229);
  }

  @Test
  void noRulesAndNonMatchingRulesReturnTheSharedNoFault() {
    FaultRegistry r = registry(1);
    SimpleRequestView req = SimpleRequestView.of("api", "GET", "/x");
    assertThat(r.decide(req)).isSameAs(FaultDecision.NO_FAULT);
    for (int i = 0; i < 20; i++) {
      r.add(spec(Map.of("name", "n" + i, "route", "other-" + i, "abort", Map.of("status", 503))), "t");
    }
    assertThat(r.decide(req)).isSameAs(FaultDecision.NO_FAULT);
  }

  @Test
  void mayAffectSaysWhetherAnyRuleOrHeaderFaultCouldTouchARoute() {
    FaultRegistry r = registry(1);
    assertThat(r.mayAffect("api")).isFalse();
    r.add(spec(Map.of("name", "o", "route", "other", "abort", Map.of("status", 503))), "t");
    assertThat(r.mayAffect("api")).isFalse();
    assertThat(r.mayAffect("other")).isTrue();
    r.add(spec(Map.of("name", "any", "delay", Map.of("fixed", "5ms"))), "t");
    assertThat(r.mayAffect("api")).isTrue();
    r.clear("t", "test");
    assertThat(r.mayAffect("api")).isFalse();
    r.setHeaderFaults(HeaderFaultConfig.enabledWithDefaults(), "t");
    assertThat(r.mayAffect("api")).isTrue();
  }

  @Test
  void matchesOnEveryField() {
    FaultRegistry r = registry(1);
    r.add(spec(Map.of("name", "m", "route", "api", "cluster", "c1", "endpoint", "10.0.0.1:80", "methods", List.of("POST"),
        "path", "/orders/*", "caller", "frontend", "headers", Map.of("x-tenant", "acme"),
        "abort", Map.of("status", 500))), "t");
    SimpleRequestView ok = new SimpleRequestView("api", "c1", "10.0.0.1:80", "POST", "/orders/1", "frontend",
        Map.of("X-Tenant", "acme"));
    assertThat(r.decide(ok).abort()).isEqualTo(AbortSpec.status(500));
    assertThat(r.decide(ok.withCluster("c2"))).isSameAs(FaultDecision.NO_FAULT);
    assertThat(r.decide(ok.withEndpoint(null))).isSameAs(FaultDecision.NO_FAULT);
    assertThat(r.decide(ok.withCaller("batch"))).isSameAs(FaultDecision.NO_FAULT);
    assertThat(r.decide(ok.withHeaders(Map.of("x-tenant", "other")))).isSameAs(FaultDecision.NO_FAULT);
    assertThat(r.decide(new SimpleRequestView("api", "c1", "10.0.0.1:80", "GET", "/orders/1", "frontend",
        Map.of("x-tenant", "acme")))).isSameAs(FaultDecision.NO_FAULT);
    assertThat(r.decide(new SimpleRequestView("api", "c1", "10.0.0.1:80", "POST", "/orders/1/items", "frontend",
        Map.of("x-tenant", "acme")))).isSameAs(FaultDecision.NO_FAULT);
  }

  @Test
  void routeIndexKeepsRegistryOrderAndRoutelessRulesApplyEverywhere() {
    FaultRegistry r = registry(1);
    r.add(spec(Map.of("name", "any-delay", "delay", Map.of("fixed", "5ms"))), "t");
    r.add(spec(Map.of("name", "api-delay", "route", "api", "delay", Map.of("fixed", "7ms"))), "t");
    r.add(spec(Map.of("name", "other-abort", "route", "other", "abort", Map.of("status", 500))), "t");
    r.add(spec(Map.of("name", "any-abort", "abort", Map.of("status", 503))), "t");
    FaultDecision api = r.decide(SimpleRequestView.of("api", "GET", "/"));
    assertThat(api.faultNames()).containsExactly("any-delay", "api-delay", "any-abort");
    assertThat(api.requestDelayNanos()).isEqualTo(5_000_000L);
    assertThat(api.abort().status()).isEqualTo(503);
    assertThat(r.decide(SimpleRequestView.of("other", "GET", "/")).faultNames()).containsExactly("any-delay", "other-abort", "any-abort");
    assertThat(r.decide(SimpleRequestView.of("unknown", "GET", "/")).faultNames()).containsExactly("any-delay", "any-abort");
    assertThat(r.decide(SimpleRequestView.of(null, "GET", "/")).faultNames()).containsExactly("any-delay", "any-abort");
  }

  @Test
  void delayAndAbortRulesCompose() {
    FaultRegistry r = registry(1);
    r.add(spec(Map.of("name", "d", "route", "api", "delay", Map.of("fixed", "200ms"))), "t");
    r.add(spec(Map.of("name", "a", "route", "api", "abort", Map.of("status", 503))), "t");
    r.add(spec(Map.of("name", "d2", "route", "api", "delay", Map.of("fixed", "1s"))), "t");
    FaultDecision d = r.decide(SimpleRequestView.of("api", "GET", "/"));
    assertThat(d.requestDelayNanos()).isEqualTo(200_000_000L);
    assertThat(d.abort().status()).isEqualTo(503);
    assertThat(d.faultNames()).containsExactly("d", "a", "d2");
  }

  @Test
  void stopAllClearsEverythingForTheNextRequest() {
    FaultRegistry r = registry(1);
    r.replaceStatic(List.of(spec(Map.of("name", "s", "route", "api", "abort", Map.of("status", 503)))), "config");
    r.add(spec(Map.of("name", "a", "route", "api", "delay", Map.of("fixed", "1s"))), "alice");
    r.setHeaderFaults(HeaderFaultConfig.enabledWithDefaults(), "config");
    SimpleRequestView req = SimpleRequestView.of("api", "GET", "/").withHeaders(Map.of("x-sidecar-fault-abort", "500"));
    assertThat(r.decide(req).isNoFault()).isFalse();
    assertThat(r.clear("alice", "stop-all")).isEqualTo(2);
    assertThat(r.decide(req)).isSameAs(FaultDecision.NO_FAULT);
    assertThat(r.list()).isEmpty();
    assertThat(audit.recent(10)).extracting(AuditEvent::action).contains("fault.remove", "header-faults.suspend");
  }

  @Test
  void maxActiveFaultsIsEnforcedAtomically() {
    FaultRegistry r = new FaultRegistry(FaultRegistryConfig.defaults().withMaxActiveFaults(2), clock, audit);
    r.add(spec(Map.of("name", "1", "abort", Map.of("status", 503))), "t");
    FaultSpec s = spec(Map.of("name", "2", "abort", Map.of("status", 503)));
    assertThatThrownBy(() -> r.addGroup(List.of(s, s), "api", null, "t")).isInstanceOf(FaultLimitExceededException.class);
    assertThat(r.activeCount()).isEqualTo(1);
    r.add(s, "t");
    assertThatThrownBy(() -> r.add(s, "t")).isInstanceOf(FaultLimitExceededException.class);
  }

  @Test
  void replaceStaticKeepsApiFaultsAndChangesNothingWhenOverTheLimit() {
    FaultRegistry r = new FaultRegistry(FaultRegistryConfig.defaults().withMaxActiveFaults(3), clock, audit);
    FaultSpec s = spec(Map.of("name", "s", "abort", Map.of("status", 503)));
    r.replaceStatic(List.of(s, s), "config");
    ActiveFault api = r.add(spec(Map.of("name", "api", "delay", Map.of("fixed", "1ms"))), "alice");
    r.replaceStatic(List.of(s), "config");
    assertThat(r.list()).extracting(ActiveFault::source).containsExactlyInAnyOrder("static", "api");
    assertThatThrownBy(() -> r.replaceStatic(List.of(s, s, s), "config")).isInstanceOf(FaultLimitExceededException.class);
    assertThat(r.list()).hasSize(2).contains(api);
  }

  @Test
  void removeByIdAndAudit() {
    FaultRegistry r = registry(1);
    ActiveFault f = r.add(spec(Map.of("name", "x", "abort", Map.of("status", 503))), "alice");
    assertThat(r.get(f.id())).contains(f);
    assertThat(r.remove(f.id(), "bob")).isTrue();
    assertThat(r.remove(f.id(), "bob")).isFalse();
    assertThat(audit.recent(2)).extracting(AuditEvent::actor).containsExactly("bob", "alice");
  }

  @Test
  void headerFaultsOnlyWhenEnabled() {
    FaultRegistry r = registry(1);
    SimpleRequestView req = SimpleRequestView.of("api", "GET", "/")
        .withHeaders(Map.of("x-sidecar-fault-delay-ms", "300", "x-sidecar-fault-abort", "reset"));
    assertThat(r.decide(req)).isSameAs(FaultDecision.NO_FAULT);
    r.setHeaderFaults(HeaderFaultConfig.enabledWithDefaults(), "config");
    FaultDecision d = r.decide(req);
    assertThat(d.requestDelayNanos()).isEqualTo(300_000_000L);
    assertThat(d.abort().kind()).isEqualTo(AbortSpec.Kind.RESET);
    FaultDecision capped = r.decide(req.withHeaders(Map.of("x-sidecar-fault-delay-ms", "999999999")));
    assertThat(capped.requestDelayNanos()).isEqualTo(HeaderFaultConfig.DEFAULT_MAX_DELAY.toNanos());
    assertThat(r.decide(req.withHeaders(Map.of("x-sidecar-fault-abort", "nonsense")))).isSameAs(FaultDecision.NO_FAULT);
  }

  @Test
  void blastRadiusCapsAffectedShareAcrossTheGroup() {
    FaultRegistry r = registry(7);
    BlastRadius radius = new BlastRadius(10);
    r.addGroup(List.of(
        spec(Map.of("name", "e1", "route", "api", "percent", 50, "abort", Map.of("status", 503))),
        spec(Map.of("name", "e2", "route", "api", "percent", 50, "delay", Map.of("fixed", "10ms")))),
        "experiment:e", radius, "t");
    int affected = 0;
    SimpleRequestView req = SimpleRequestView.of("api", "GET", "/");
    for (int i = 0; i < 5000; i++) {
      if (!r.decide(req).isNoFault()) affected++;
      assertThat(radius.affected() * 100.0).isLessThanOrEqualTo(10.0 * radius.seen());
    }
    assertThat(radius.seen()).isEqualTo(5000);
    assertThat(affected).isEqualTo(radius.affected()).isBetween(450, 500);
  }

  @Test
  void delayDistributionsMatchTheirPercentiles() {
    assertPercentiles(Map.of("normal", Map.of("p50", "100ms", "p99", "300ms")), 100, 300);
    assertPercentiles(Map.of("lognormal", Map.of("p50", "100ms", "p99", "500ms")), 100, 500);
    assertPercentiles(Map.of("lognormal", Map.of("p90", "50ms", "p99.9", "2s")), -1, -1);
    // uniform jitter: fixed 200ms +- 50ms; p50 ~ 200ms, p99 ~ 249ms
    assertPercentiles(Map.of("fixed", "200ms", "jitter", "50ms"), 200, 249);
  }

  private void assertPercentiles(Map<String, Object> delay, double p50Ms, double p99Ms) {
    FaultRegistry r = registry(11);
    r.add(spec(Map.of("name", "d", "delay", delay)), "t");
    int n = 20_000;
    long[] samples = new long[n];
    SimpleRequestView req = SimpleRequestView.of("api", "GET", "/");
    for (int i = 0; i < n; i++) samples[i] = r.decide(req).requestDelayNanos();
    Arrays.sort(samples);
    assertThat(samples[0]).isGreaterThanOrEqualTo(0);
    if (p50Ms < 0) return;
    double p50 = samples[n / 2] / 1e6;
    double p99 = samples[(int) (n * 0.99)] / 1e6;
    // Tolerance: 5 % of the value (the sampling error of these quantiles at n = 20000 is ~1-3 %).
    assertThat(p50).isCloseTo(p50Ms, org.assertj.core.data.Percentage.withPercentage(5));
    assertThat(p99).isCloseTo(p99Ms, org.assertj.core.data.Percentage.withPercentage(5));
  }

  @Test
  void concurrentDecisionsSeeEveryChange() throws Exception {
    FaultRegistry r = registry(3);
    SimpleRequestView req = SimpleRequestView.of("api", "GET", "/");
    List<Thread> threads = new ArrayList<>();
    int[] counts = new int[4];
    r.add(spec(Map.of("name", "a", "route", "api", "percent", 50, "abort", Map.of("status", 503))), "t");
    for (int t = 0; t < 4; t++) {
      int idx = t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 20_000; i++) if (r.decide(req).abort() != null) counts[idx]++;
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) t.join();
    int total = Arrays.stream(counts).sum();
    // Binomial(80000, 0.5): sd 141; 5 sd = 707
    assertThat(total).isBetween(40_000 - 707, 40_000 + 707);
  }
}
