package io.sidecar.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Cache mixed: a fraction {@code hitRatio} (default 0.9) of requests goes to one of {@code hotKeys} (default 100)
 * hot URLs under /cache/hot/, the rest to never-seen URLs under /cache/miss/ (always a miss). Requests are named
 * "hot" and "miss" so the report shows both latencies. {@code users} (64) closed-model users for
 * {@code duration} seconds. Asserts failed &lt; 0.1 % and hot p99 &lt; {@code maxHotP99Ms} (50).
 *
 * <p>Meaningful once the cache stage is wired; until then both kinds are plain pass-through.
 */
public class CacheMixedSimulation extends Simulation {
  private final int users = SimulationSettings.integer("users", 64);
  private final Duration duration = SimulationSettings.seconds("duration", 30);
  private final double hitRatio = SimulationSettings.decimal("hitRatio", 0.9);
  private final int hotKeys = SimulationSettings.integer("hotKeys", 100);
  private final AtomicLong missCounter = new AtomicLong();

  private final Iterator<Map<String, Object>> paths = Stream.generate(this::nextPath).iterator();

  private final HttpProtocolBuilder protocol = http.baseUrl(SimulationSettings.target()).disableCaching();

  private final ScenarioBuilder mixed = scenario("cache mixed, hit ratio " + hitRatio)
      .during(duration).on(
          feed(paths).exec(http("#{kind}").get("#{path}").check(status().is(200))));

  {
    setUp(mixed.injectOpen(atOnceUsers(users)))
        .protocols(protocol)
        .maxDuration(SimulationSettings.bound(duration))
        .assertions(
            global().failedRequests().percent().lt(SimulationSettings.decimal("maxErrorPercent", 0.1)),
            details("hot").responseTime().percentile(99.0).lt(SimulationSettings.integer("maxHotP99Ms", 50)));
  }

  private Map<String, Object> nextPath() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (random.nextDouble() < hitRatio) {
      return Map.of("kind", "hot", "path", "/cache/hot/" + random.nextInt(hotKeys) + "/1k");
    }
    return Map.of("kind", "miss", "path", "/cache/miss/" + missCounter.incrementAndGet() + "/1k");
  }

  private static io.gatling.javaapi.core.ChainBuilder feed(Iterator<Map<String, Object>> feeder) {
    return exec(io.gatling.javaapi.core.CoreDsl.feed(feeder));
  }
}
