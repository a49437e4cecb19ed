package io.sidecar.loadtest;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fault experiment with a halt condition. Before the load starts, POSTs an experiment to the admin API
 * ({@code experimentPath}, default /experiments): abort {@code faultPercent} % (default 20) of requests on route
 * "fault" with 503, blast radius the same, halted when the route's error rate goes above
 * {@code haltErrorPercent} (default 10) over a 5 s window. Then {@code rate} req/s (default 200) for
 * {@code duration} seconds on /fault/1k; a 503 counts as a failed request.
 *
 * <p>Asserts the failed share lies between {@code minErrorPercent} (0.05: the faults fired, at least 3 of the
 * 6000 requests at the defaults) and {@code maxErrorPercent} (10: the halt stopped them; without it the share
 * would be faultPercent) and p99 &lt; {@code maxP99Ms} (100). After the run it calls POST /faults/stop-all.
 * Measured 2026-11-23: 17 of 6000 failed (0.28 %): the halt fired within about half a second.
 */
public class FaultSimulation extends Simulation {
  private static final String FAULT_REQUEST = "GET /fault/1k";
  private final int rate = SimulationSettings.integer("rate", 200);
  private final Duration duration = SimulationSettings.seconds("duration", 30);
  private final int faultPercent = SimulationSettings.integer("faultPercent", 20);
  private final int haltErrorPercent = SimulationSettings.integer("haltErrorPercent", 10);

  private final HttpProtocolBuilder protocol = http.baseUrl(SimulationSettings.target())
      .shareConnections()
      .disableCaching();

  private final ClientWarmup clientWarmup = new ClientWarmup(rate);

  private final ScenarioBuilder faulted = scenario("fault experiment on /fault/")
      .exec(http(FAULT_REQUEST).get("/fault/1k").check(status().is(200)));

  {
    setUp(clientWarmup.population(), faulted.injectOpen(clientWarmup.after(duration)))
        .protocols(protocol)
        .maxDuration(SimulationSettings.bound(duration.plus(clientWarmup.length())))
        .assertions(
            details(FAULT_REQUEST).failedRequests().percent().between(
                SimulationSettings.decimal("minErrorPercent", 0.05), SimulationSettings.decimal("maxErrorPercent", 10.0)),
            details(FAULT_REQUEST).responseTime().percentile(99.0).lt(SimulationSettings.integer("maxP99Ms", 100)));
  }

  String experimentJson() {
    return "{\"name\":\"loadtest-abort\","
        + "\"faults\":[{\"name\":\"loadtest-abort-503\",\"route\":\"fault\",\"percent\":" + faultPercent
        + ",\"abort\":{\"status\":503}}],"
        + "\"duration\":\"" + (clientWarmup.length().plus(duration).toSeconds() + 30) + "s\","
        + "\"blast_radius\":" + faultPercent + ","
        + "\"halt_conditions\":[{\"error_rate_above\":" + haltErrorPercent + ",\"route\":\"fault\",\"window\":\"5s\"}]}";
  }

  @Override
  public void before() {
    int status = adminPost(System.getProperty("experimentPath", "/experiments"), experimentJson());
    System.out.println("fault experiment POST -> " + status + (status / 100 == 2 ? "" : " (experiment not started)"));
  }

  @Override
  public void after() {
    System.out.println("POST /faults/stop-all -> " + adminPost("/faults/stop-all", "{}"));
  }

  private static int adminPost(String path, String json) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(SimulationSettings.admin() + path))
        .timeout(Duration.ofSeconds(5))
        .header("content-type", "application/json")
        .header("authorization", "Bearer " + SimulationSettings.adminToken())
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
