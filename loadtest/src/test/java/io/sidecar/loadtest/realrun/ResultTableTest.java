package io.sidecar.loadtest.realrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTableTest {

  @Test
  void printsTheSimulatorsColumnsWithTheSlowEndpointFirst() {
    Map<String, Long> perEndpoint = new LinkedHashMap<>();
    perEndpoint.put("127.0.0.1:27411", 500L);
    perEndpoint.put("127.0.0.1:27412", 510L);
    perEndpoint.put("127.0.0.1:27422", 20L);
    LoadSummary load = new LoadSummary(1030, 20.6, 34.5, 1000.4, 1000.4, 93.195, 70, Map.of("timeout", 70L),
        List.of(100.0, 90.0), 10, 1000.2, 1.5, 12.0);
    StrategyResult result = new StrategyResult("round_robin", "2026-01-01T00:00:00Z", 1000, 60, 20,
        "127.0.0.1:27422", 2000, 15.0, 45.0, load, perEndpoint, Map.of("127.0.0.1:27422", 7L), "1.0/1.0/1.0",
        "2.0/2.0/2.0");

    assertThat(ResultTable.slowFirst(perEndpoint, "127.0.0.1:27422")).containsExactly(20L, 500L, 510L);
    String table = ResultTable.format(List.of(result));
    assertThat(table).contains(
        "| round_robin                |     20.6 |     34.5 |   1000.4 |   1000.4 |    93.195 |      70 | [20, 500, 510] |");
    assertThat(table).contains("success % per 10 s window:", "round_robin                [100.0, 90.0]");
    assertThat(table).contains("failures per endpoint as the sidecar counts them", "round_robin                [7]");
  }

  @Test
  void resultsSurviveTheJsonLineTheyAreStoredAs() throws Exception {
    LoadSummary load = new LoadSummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Map.of(),
        List.of(Double.NaN), 10, Double.NaN, 0, 0);
    StrategyResult result = new StrategyResult("predictive", "t", 300, 12, 8, "a:1", 2000, Double.NaN, Double.NaN,
        load, Map.of("a:1", 3L), Map.of("a:1", 1L), "?", "?");
    String line = RealRun.JSON.writeValueAsString(result);
    assertThat(RealRun.JSON.readValue(line, StrategyResult.class)).isEqualTo(result);
  }
}
