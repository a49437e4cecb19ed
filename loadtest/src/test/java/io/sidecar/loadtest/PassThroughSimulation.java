package io.sidecar.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * Pass-through: {@code users} closed-model users (default 64), each on its own keep-alive connection, loop
 * GET {@code path} (default /pt/1k, a plain route with every stage off) for {@code duration} seconds.
 * Asserts: failed requests below {@code maxErrorPercent} (0.1), p50 below {@code maxP50Ms} (20) and p99 below
 * {@code maxP99Ms} (100). Gatling is the load generator here and shares the 2 cores with the sidecar, so
 * its absolute rps is lower than wrk's: use bench/run.sh for side-by-side numbers.
 */
public class PassThroughSimulation extends Simulation {
  private final int users = SimulationSettings.integer("users", 64);
  private final Duration duration = SimulationSettings.seconds("duration", 30);
  private final String path = System.getProperty("path", "/pt/1k");

  private final HttpProtocolBuilder protocol = http.baseUrl(SimulationSettings.target())
      .acceptHeader("*/*")
      .disableCaching(); // Gatling's own HTTP cache would answer some requests itself

  private final ScenarioBuilder passThrough = scenario("pass-through " + path)
      .during(duration).on(
          exec(http("GET " + path).get(path).check(status().is(200))));

  {
    setUp(passThrough.injectOpen(atOnceUsers(users)))
        .protocols(protocol)
        .maxDuration(SimulationSettings.bound(duration))
        .assertions(
            global().failedRequests().percent().lt(SimulationSettings.decimal("maxErrorPercent", 0.1)),
            global().responseTime().percentile(50.0).lt(SimulationSettings.integer("maxP50Ms", 20)),
            global().responseTime().percentile(99.0).lt(SimulationSettings.integer("maxP99Ms", 100)));
  }
}
