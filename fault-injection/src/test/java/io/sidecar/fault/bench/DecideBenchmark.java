package io.sidecar.fault.bench;

import io.sidecar.fault.FaultDecision;
import io.sidecar.fault.FaultRegistry;
import io.sidecar.fault.FaultRegistryConfig;
import io.sidecar.fault.InMemoryAuditLog;
import io.sidecar.fault.SimpleRequestView;
import io.sidecar.fault.parse.FaultSpecParser;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Cost of {@link FaultRegistry#decide} per request: no rules vs 20 rules that do not match (by route,
 * the usual case, and by path glob on the same route, the worst case), vs one matching 30 % rule.
 * Run: see fault-injection/README.md ("Measured").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecideBenchmark {

  private FaultRegistry none;
  private FaultRegistry twentyOtherRoutes;
  private FaultRegistry twentySameRouteOtherPaths;
  private FaultRegistry oneMatching30;
  private final SimpleRequestView request = new SimpleRequestView("catalog-api", "catalog", null, "GET",
      "/catalog/items/42", null, Map.of("accept", "application/json"));

  @Setup
  public void setUp() {
    none = registry();
    twentyOtherRoutes = registry();
    twentySameRouteOtherPaths = registry();
    for (int i = 0; i < 20; i++) {
      twentyOtherRoutes.add(FaultSpecParser.parse(Map.of("name", "r" + i, "route", "route-" + i, "percent", 50,
          "abort", Map.of("status", 503)), "").orThrow(), "bench");
      twentySameRouteOtherPaths.add(FaultSpecParser.parse(Map.of("name", "p" + i, "route", "catalog-api",
          "methods", List.of("GET"), "path", "/catalog/*/v" + i + "/**", "percent", 50,
          "delay", Map.of("fixed", "10ms")), "").orThrow(), "bench");
    }
    oneMatching30 = registry();
    oneMatching30.add(FaultSpecParser.parse(Map.of("name", "m", "route", "catalog-api", "percent", 30,
        "abort", Map.of("status", 503)), "").orThrow(), "bench");
  }

  private static FaultRegistry registry() {
    return new FaultRegistry(FaultRegistryConfig.defaults().withSeed(1), Clock.systemUTC(), new InMemoryAuditLog());
  }

  @Benchmark
  public FaultDecision noRules() {
    return none.decide(request);
  }

  @Benchmark
  public FaultDecision twentyRulesOtherRoutes() {
    return twentyOtherRoutes.decide(request);
  }

  @Benchmark
  public FaultDecision twentyRulesSameRouteNonMatchingPaths() {
    return twentySameRouteOtherPaths.decide(request);
  }

  @Benchmark
  public FaultDecision oneMatchingRule30Percent() {
    return oneMatching30.decide(request);
  }

  public static void main(String[] args) throws Exception {
    new Runner(new OptionsBuilder().include(DecideBenchmark.class.getSimpleName())
        .addProfiler("gc").build()).run();
  }
}
