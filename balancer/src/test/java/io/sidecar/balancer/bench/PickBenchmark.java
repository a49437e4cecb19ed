package io.sidecar.balancer.bench;

import io.sidecar.balancer.BalancerConfig;
import io.sidecar.balancer.CallHandle;
import io.sidecar.balancer.ClusterBalancer;
import io.sidecar.balancer.Endpoint;
import io.sidecar.balancer.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * One request's balancer work, a pick and its completion, on one thread, by cluster size and strategy, with the
 * default outlier detection on and the clock advancing 10 µs a request. Run: see balancer/README.md ("Cost of a
 * pick").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PickBenchmark {
  @Param({"1", "10", "100"})
  public int endpoints;

  @Param({"round_robin", "least_request"})
  public String strategy;

  private ClusterBalancer cluster;
  private long now = 1_000_000_000L;

  @Setup
  public void setUp() {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) list.add(Endpoint.of("10.0.0." + (i % 250) + ":" + (8000 + i)));
    cluster = new ClusterBalancer("bench", BalancerConfig.builder().strategy(strategy).build(), list,
        () -> now, new SplittableRandom(7));
  }

  @Benchmark
  public String pickAndComplete() {
    now += 10_000;
    CallHandle handle = cluster.pick().handle();
    handle.complete(Outcome.OK);
    return handle.address();
  }

  public static void main(String[] args) throws Exception {
    new Runner(new OptionsBuilder().include(PickBenchmark.class.getSimpleName()).build()).run();
  }
}
