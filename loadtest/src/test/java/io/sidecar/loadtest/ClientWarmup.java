package io.sidecar.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import java.time.Duration;

/**
 * Warms Gatling's own JVM and its shared connections before an open-model simulation's measured requests:
 * {@code clientWarmupSeconds} (default 3) at the simulation's rate on the pass-through route /pt/1k, under a
 * request name of its own, so assertions on the measured request's name do not see it.
 *
 * <p>Why: the first second of every run is slow at the client whatever it talks to. Gatling's Fault simulation
 * pointed straight at the upstream (no sidecar) had a first second with p75 15 ms, p90 86 ms and max 130 ms, the
 * seconds after it p99 6-10 ms; the 200 requests of that second then set the run's p99 (60 slowest of 6 000).
 */
final class ClientWarmup {
  static final String REQUEST = "client warm-up GET /pt/1k";

  private final int rate;
  private final Duration length = SimulationSettings.seconds("clientWarmupSeconds", 3);

  ClientWarmup(int rate) {
    this.rate = rate;
  }

  Duration length() {
    return length;
  }

  PopulationBuilder population() {
    return scenario("client warm-up on /pt/")
        .exec(http(REQUEST).get("/pt/1k").check(status().is(200)))
        .injectOpen(constantUsersPerSec(rate).during(length));
  }

  /** The measured scenario's injection: nothing while the warm-up runs, then {@code rate} per second. */
  OpenInjectionStep[] after(Duration measured) {
    return new OpenInjectionStep[] {nothingFor(length), constantUsersPerSec(rate).during(measured)};
  }
}
