package io.sidecar.fault.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KnownNamesTest {
  private final KnownNames names = new KnownNames(Set.of("api", "web"), Set.of("backend"));

  private static Map<String, Object> abort(Map<String, Object> match) {
    return Map.of("name", "f", "percent", 10, "abort", Map.of("status", 503), "match", match);
  }

  @Test
  void aFaultNamingKnownRoutesAndClustersPasses() {
    assertThat(names.checkFault(Map.of("name", "f", "route", "api", "cluster", "backend",
        "abort", Map.of("status", 503)), "")).isEmpty();
    assertThat(names.checkFault(abort(Map.of("route", "web")), "")).isEmpty();
    assertThat(names.checkFault(Map.of("name", "f", "abort", Map.of("status", 503)), "")).isEmpty(); // matches all
  }

  @Test
  void anUnknownRouteOrClusterIsNamedWithItsPathAndTheKnownOnes() {
    assertThat(names.checkFault(Map.of("name", "f", "route", "apii", "abort", Map.of("status", 503)), ""))
        .containsExactly(new FieldError("route", "no route named 'apii' in the config (routes: api, web)"));
    assertThat(names.checkFaults(List.of(abort(Map.of("route", "api")), abort(Map.of("cluster", "front"))), "faults"))
        .containsExactly(new FieldError("faults[1].match.cluster",
            "no cluster named 'front' in the config (clusters: backend)"));
    assertThat(new KnownNames(Set.of(), Set.of()).checkFault(Map.of("route", "x"), ""))
        .containsExactly(new FieldError("route", "no route named 'x' in the config (it has none)"));
  }

  @Test
  void anExperimentsFaultsAndHaltConditionsAreChecked() {
    Map<String, Object> experiment = Map.of("name", "e", "duration", "1m", "blast_radius", 10,
        "faults", List.of(abort(Map.of("route", "api")), abort(Map.of("route", "nope"))),
        "halt_conditions", List.of(Map.of("error_rate_above", 5), Map.of("error_rate_above", 5, "route", "wbe")));
    assertThat(names.checkExperiment(experiment, "")).extracting(FieldError::path)
        .containsExactly("faults[1].match.route", "halt_conditions[1].route");
  }
}
