package io.sidecar.loadtest;

import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.incrementUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * Saturation search: open-model arrival rate in steps, {@code start} req/s (default 500) plus {@code step}
 * (default 500) per level, {@code levels} levels (default 10) of {@code levelSeconds} (default 5) each, on the
 * pass-through route. The level where the "Response Time Percentiles over Time" chart of the HTML report bends
 * up, or where active users pile up, is the saturation point; the console prints per-level counts. Keep-alive
 * connections are shared between users (an open model otherwise opens one connection per request).
 *
 * <p>Asserts failed &lt; {@code maxErrorPercent} (1 %) and p95 &lt; {@code maxP95Ms} (500): past saturation the
 * sidecar must queue and shed load cleanly, not fall over.
 */
public class RampSimulation extends Simulation {
  private final int start = SimulationSettings.integer("start", 500);
  private final int step = SimulationSettings.integer("step", 500);
  private final int levels = SimulationSettings.integer("levels", 10);
  private final Duration level = SimulationSettings.seconds("levelSeconds", 5);
  private final Duration rampBetween = Duration.ofSeconds(1);
  private final String path = System.getProperty("path", "/pt/1k");

  private final HttpProtocolBuilder protocol = http.baseUrl(SimulationSettings.target())
      .shareConnections()
      .disableCaching();

  private final ScenarioBuilder ramp = scenario("ramp " + path)
      .exec(http("GET " + path).get(path).check(status().is(200)));

  {
    Duration planned = level.plus(rampBetween).multipliedBy(levels);
    setUp(ramp.injectOpen(incrementUsersPerSec(step)
            .times(levels)
            .eachLevelLasting(level)
            .separatedByRampsLasting(rampBetween)
            .startingFrom(start)))
        .protocols(protocol)
        .maxDuration(SimulationSettings.bound(planned))
        .assertions(
            global().failedRequests().percent().lt(SimulationSettings.decimal("maxErrorPercent", 1.0)),
            global().responseTime().percentile(95.0).lt(SimulationSettings.integer("maxP95Ms", 500)));
  }
}
