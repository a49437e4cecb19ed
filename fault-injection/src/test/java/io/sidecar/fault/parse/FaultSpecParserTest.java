package io.sidecar.fault.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.fault.spec.AbortSpec;
import io.sidecar.fault.spec.DelayDistribution;
import io.sidecar.fault.spec.DelayPhase;
import io.sidecar.fault.spec.FaultSpec;
import io.sidecar.fault.spec.HeaderMatch;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultSpecParserTest {

  @Test
  void parsesTheContractExamples() {
    FaultSpec abort = FaultSpecParser.parse(
        Map.of("name", "f1", "route", "api", "percent", 100, "abort", Map.of("status", 503)), "").orThrow();
    assertThat(abort.name()).isEqualTo("f1");
    assertThat(abort.match().route()).isEqualTo("api");
    assertThat(abort.percent()).isEqualTo(100.0);
    assertThat(abort.abort()).isEqualTo(AbortSpec.status(503));

    FaultSpec slow = FaultSpecParser.parse(
        Map.of("name", "slow", "route", "catalog-api", "percent", 5, "delay", Map.of("fixed", "200ms")), "").orThrow();
    assertThat(slow.percent()).isEqualTo(5.0);
    assertThat(slow.delay().phase()).isEqualTo(DelayPhase.REQUEST);
    assertThat(slow.delay().distribution()).isEqualTo(new DelayDistribution.Fixed(Duration.ofMillis(200)));
  }

  @Test
  void parsesTheYamlFaultsSectionWithIndexedPaths() {
    List<Object> faults = List.of(
        Map.of("name", "slow-catalog", "route", "catalog-api", "percent", 5, "delay", Map.of("fixed", "200ms")),
        Map.of("name", "flaky-payments", "route", "payments", "percent", 1, "abort", Map.of("status", 503)));
    ParseResult<List<FaultSpec>> r = FaultSpecParser.parseList(faults, "faults");
    assertThat(r.ok()).isTrue();
    assertThat(r.value()).extracting(FaultSpec::name).containsExactly("slow-catalog", "flaky-payments");
  }

  @Test
  void collectsAllErrorsWithTheirPaths() {
    List<Object> faults = List.of(
        Map.of("name", "ok", "abort", Map.of("status", 503)),
        Map.of("name", "bad-percent", "percent", 150, "abort", Map.of("status", 503)),
        Map.of("name", "neg", "delay", Map.of("fixed", "-5ms"), "explode", Map.of()));
    ParseResult<List<FaultSpec>> r = FaultSpecParser.parseList(faults, "faults");
    assertThat(r.ok()).isFalse();
    assertThat(r.value()).isNull();
    assertThat(r.errors()).extracting(FieldError::path)
        .containsExactlyInAnyOrder("faults[1].percent", "faults[2].delay.fixed", "faults[2].explode");
    assertThat(r.errors()).filteredOn(e -> e.path().equals("faults[2].explode"))
        .first().satisfies(e -> assertThat(e.message()).contains("unknown fault type"));
    assertThat(r.errors()).filteredOn(e -> e.path().equals("faults[2].delay.fixed"))
        .first().satisfies(e -> assertThat(e.message()).contains("negative"));
    assertThat(r.errors()).filteredOn(e -> e.path().equals("faults[1].percent"))
        .first().satisfies(e -> assertThat(e.message()).contains("between 0 and 100"));
  }

  @Test
  void rejectsMatchesThatCanNeverMatch() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("name", "never");
    tree.put("methods", List.of());
    tree.put("path", "api/*");
    tree.put("endpoint", "10.0.0.1");
    tree.put("headers", Map.of("x-a", Map.of("exact", "1", "present", false)));
    tree.put("abort", Map.of("status", 503));
    ParseResult<FaultSpec> r = FaultSpecParser.parse(tree, "faults[0]");
    assertThat(r.errors()).extracting(FieldError::path)
        .containsExactlyInAnyOrder("faults[0].methods", "faults[0].path", "faults[0].headers.x-a", "faults[0].endpoint");
    assertThat(r.describeErrors()).contains("never match");
  }

  @Test
  void reportsMissingNameMissingTypeAndBadDurationUnits() {
    ParseResult<FaultSpec> r = FaultSpecParser.parse(Map.of("route", "api"), "");
    assertThat(r.errors()).extracting(FieldError::path).containsExactlyInAnyOrder("name", "(fault)");
    ParseResult<FaultSpec> r2 = FaultSpecParser.parse(Map.of("name", "x", "delay", Map.of("fixed", 200)), "");
    assertThat(r2.errors()).singleElement().satisfies(e -> {
      assertThat(e.path()).isEqualTo("delay.fixed");
      assertThat(e.message()).contains("unit");
    });
    ParseResult<FaultSpec> r3 = FaultSpecParser.parse(Map.of("name", "x", "abort", Map.of("status", 503, "reset", true)), "");
    assertThat(r3.errors()).singleElement().extracting(FieldError::path).isEqualTo("abort");
    ParseResult<FaultSpec> r4 = FaultSpecParser.parse(Map.of("name", "x", "abort", Map.of("status", 42)), "");
    assertThat(r4.errors()).singleElement().extracting(FieldError::path).isEqualTo("abort.status");
  }

  @Test
  void parsesEveryFaultKindAndMatchField() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("name", "all");
    tree.put("match", Map.of("route", "r", "cluster", "c", "endpoint", "127.0.0.1:1", "methods", List.of("get", "POST"),
        "path", "/api/**", "caller", "frontend", "headers", Map.of("X-Tenant", "acme", "x-b", Map.of("prefix", "v"),
            "x-c", Map.of("present", false), "x-d", Map.of("regex", "a+"))));
    tree.put("percent", 12.5);
    tree.put("delay", Map.of("lognormal", Map.of("p50", "100ms", "p99", "400ms"), "phase", "response"));
    tree.put("bandwidth", Map.of("kib_per_second", 64));
    tree.put("slicer", Map.of("size", 100, "size_variation", 10, "delay", "5ms"));
    tree.put("truncate", Map.of("after_bytes", "1KiB"));
    tree.put("slow_close", Map.of("delay", "1s"));
    tree.put("patch", Map.of("status", 500, "set_headers", Map.of("x-f", "1"), "remove_headers", List.of("ETag"),
        "merge_patch", Map.of("a", 1)));
    FaultSpec s = FaultSpecParser.parse(tree, "").orThrow();
    assertThat(s.match().methods()).containsExactlyInAnyOrder("GET", "POST");
    assertThat(s.match().headers()).contains(new HeaderMatch("x-tenant", HeaderMatch.Kind.EXACT, "acme"),
        new HeaderMatch("x-c", HeaderMatch.Kind.ABSENT, null));
    assertThat(s.delay().phase()).isEqualTo(DelayPhase.RESPONSE);
    assertThat(s.bandwidth().bytesPerSecond()).isEqualTo(64 * 1024);
    assertThat(s.truncate().afterBytes()).isEqualTo(1024);
    assertThat(s.slowClose().delay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.patch().removeHeaders()).containsExactly("etag");
    assertThat(s.kinds()).containsExactly("delay", "bandwidth", "slicer", "truncate", "slow_close", "patch");
  }

  @Test
  void abortKinds() {
    assertThat(FaultSpecParser.parse(Map.of("name", "x", "abort", Map.of("reset", true)), "").orThrow().abort().kind())
        .isEqualTo(AbortSpec.Kind.RESET);
    assertThat(FaultSpecParser.parse(Map.of("name", "x", "abort", Map.of("close", true)), "").orThrow().abort().kind())
        .isEqualTo(AbortSpec.Kind.CLOSE);
    assertThat(FaultSpecParser.parse(Map.of("name", "x", "abort", Map.of("upstream_unavailable", true)), "").orThrow()
        .abort().kind()).isEqualTo(AbortSpec.Kind.UPSTREAM_UNAVAILABLE);
    AbortSpec withBody = FaultSpecParser.parse(Map.of("name", "x", "abort",
        Map.of("status", 429, "body", "slow down", "headers", Map.of("retry-after", 1))), "").orThrow().abort();
    assertThat(withBody.body()).isEqualTo("slow down");
    assertThat(withBody.headers()).containsEntry("retry-after", "1");
  }

  @Test
  void delayDistributionErrors() {
    assertThat(FaultSpecParser.parse(Map.of("name", "x", "delay", Map.of("fixed", "10ms", "jitter", "20ms")), "")
        .errors()).extracting(FieldError::path).containsExactly("delay.jitter");
    assertThat(FaultSpecParser.parse(Map.of("name", "x", "delay", Map.of("normal", Map.of("p50", "100ms"))), "")
        .errors()).extracting(FieldError::path).containsExactly("delay.normal");
    assertThat(FaultSpecParser.parse(Map.of("name", "x", "delay", Map.of("normal", Map.of("p50", "100ms", "p99", "50ms"))), "")
        .errors()).extracting(FieldError::path).containsExactly("delay.normal");
    assertThat(FaultSpecParser.parse(Map.of("name", "x", "delay", Map.of("uniform", Map.of("min", "10ms", "max", "5ms"))), "")
        .errors()).extracting(FieldError::path).containsExactly("delay.uniform.max");
    assertThat(FaultSpecParser.parse(Map.of("name", "x", "delay", Map.of("fixed", "1s", "phase", "later")), "")
        .errors()).extracting(FieldError::path).containsExactly("delay.phase");
  }

  @Test
  void durations() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.format(Duration.ofMillis(200))).isEqualTo("200ms");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.parseSize("64KiB")).isEqualTo(65536);
  }
}
