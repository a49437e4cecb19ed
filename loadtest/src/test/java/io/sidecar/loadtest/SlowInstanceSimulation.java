package io.sidecar.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
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
 * Slow-instance balancing: route /slow/ goes to a cluster of three upstreams (fast, mid, slow; run-simulation.sh
 * starts them, slow answers after {@code slowDelayMs}, default 50). Open model: {@code rate} requests per second
 * (default 200) for {@code duration} seconds, keep-alive connections shared between users.
 *
 * <p>With plain round robin a third of the requests wait for the slow instance, so p75 is at least the delay.
 * A latency-aware balancer (p2c_peak_ewma or predictive, set on the cluster) sends the slow one little traffic:
 * the assertion p75 &lt; {@code maxP75Ms} (default half the delay) is the acceptance test for that; it fails
 * while the proxy still uses round robin. Also: failed &lt; 0.1 %, p99 &lt; {@code maxP99Ms} (3 x delay).
 */
public class SlowInstanceSimulation extends Simulation {
  private final int slowDelayMs = SimulationSettings.integer("slowDelayMs", 50);
  private final int rate = SimulationSettings.integer("rate", 200);
  private final Duration duration = SimulationSettings.seconds("duration", 30);

  private final HttpProtocolBuilder protocol = http.baseUrl(SimulationSettings.target())
      .shareConnections()
      .disableCaching();

  private final ScenarioBuilder slowInstance = scenario("three upstreams, one slow")
      .exec(http("GET /slow/1k").get("/slow/1k")
          .check(status().is(200), header(TestUpstreams.UPSTREAM_HEADER).saveAs("upstream")));

  {
    setUp(slowInstance.injectOpen(constantUsersPerSec(rate).during(duration)))
        .protocols(protocol)
        .maxDuration(SimulationSettings.bound(duration))
        .assertions(
            global().failedRequests().percent().lt(SimulationSettings.decimal("maxErrorPercent", 0.1)),
            global().responseTime().percentile(75.0).lt(SimulationSettings.integer("maxP75Ms", slowDelayMs / 2)),
            global().responseTime().percentile(99.0).lt(SimulationSettings.integer("maxP99Ms", 3 * slowDelayMs)));
  }
}
