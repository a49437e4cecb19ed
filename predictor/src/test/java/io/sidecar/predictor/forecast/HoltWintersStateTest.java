package io.sidecar.predictor.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HoltWintersStateTest {
  /** The incremental forecasts the multi-step fit loss uses are the closed-form ones, damped or not, seasonal or not. */
  @Test
  void forecastsAtOnceAreTheForecastsOneByOne() {
    double[] y = new double[96];
    for (int i = 0; i < y.length; i++) y[i] = 100 + 0.5 * i + 20 * Math.sin(2 * Math.PI * i / 12) + (i % 5);
    for (HoltWintersParams p : new HoltWintersParams[] {
        new HoltWintersParams(0.3, 0.1, 0.2, 0.9, 12), new HoltWintersParams(0.3, 0.1, 0.2, 1.0, 12),
        new HoltWintersParams(0.5, 0.05, 0, 0.95, 0)}) {
      HoltWintersState s = HoltWintersState.initial(p, y);
      for (double v : y) s.update(v, Double.POSITIVE_INFINITY);
      double[] out = new double[30];
      s.forecasts(out);
      for (int h = 1; h <= out.length; h++) {
        assertThat(out[h - 1]).as("%s, h=%d", p, h).isCloseTo(s.forecast(h), within(1e-9 * Math.abs(s.forecast(h)) + 1e-9));
      }
    }
  }
}
