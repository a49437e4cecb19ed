package io.sidecar.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * Cache hit: route /cache/ has {@code cache: {enabled: true}} and the upstream answers {@code max-age=60}.
 * Each of {@code users} users (default 64) sends one warm-up request, then loops GET {@code path} (default
 * /cache/1k) for {@code duration} seconds; every looped response must say {@code x-cache: HIT} (the
 * cache-layer's status header). Asserts failed "hit" requests &lt; 0.1 % and p99 &lt; {@code maxP99Ms} (50).
 *
 * <p>Meaningful once the cache stage is wired into the proxy; until then every "hit" fails its check.
 */
public class CacheHitSimulation extends Simulation {
  private final int users = SimulationSettings.integer("users", 64);
  private final Duration duration = SimulationSettings.seconds("duration", 30);
  private final String path = System.getProperty("path", "/cache/1k");

  private final HttpProtocolBuilder protocol = http.baseUrl(SimulationSettings.target()).disableCaching();

  private final ScenarioBuilder cacheHit = scenario("cache hit " + path)
      .exec(http("warm-up").get(path).check(status().is(200)))
      .during(duration).on(
          exec(http("hit").get(path).check(
              status().is(200),
              header("x-cache").is("HIT")))); // cache-layer writes CacheStatus.name()

  {
    setUp(cacheHit.injectOpen(atOnceUsers(users)))
        .protocols(protocol)
        .maxDuration(SimulationSettings.bound(duration))
        .assertions(
            global().failedRequests().percent().lt(SimulationSettings.decimal("maxErrorPercent", 0.1)),
            details("hit").failedRequests().percent().lt(SimulationSettings.decimal("maxErrorPercent", 0.1)),
            details("hit").responseTime().percentile(99.0).lt(SimulationSettings.integer("maxP99Ms", 50)));
  }
}
