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
  /**
   * NAB exchange-4_cpc_results: two slightly high values (beyond the clip) followed by a spike made three same-sign
   * clipped errors, and the level-shift intervention put the level on the spike, so the forecast stayed at the
   * spike's height and the ordinary values after it were alerted (rows 1 376 and 1 378 after a 0.73 spike on a
   * series of 0.05-0.15). The intervention now takes the run's median when the last value is an outlier within
   * the run; a real step is still followed at once.
   */
  @Test
  void aSpikeEndingARunOfClippedErrorsDoesNotBecomeTheLevel() {
    HoltWintersParams p = new HoltWintersParams(0.5, 0.05, 0, 0.95, 0);
    for (double spike : new double[] {40, -20}) {
      HoltWintersState s = HoltWintersState.initial(p, new double[] {10});
      for (int i = 0; i < 20; i++) s.update(10, 1);
      double d = Math.signum(spike - 10);
      s.update(10 + 1.5 * d, 1);
      s.update(10 + 1.6 * d, 1);
      s.update(spike, 1);
      assertThat(s.forecastNext()).as("spike %s", spike).isCloseTo(10 + 1.6 * d, within(0.2));
    }
    HoltWintersState step = HoltWintersState.initial(p, new double[] {10});
    for (int i = 0; i < 20; i++) step.update(10, 1);
    for (int i = 0; i < HoltWintersState.SHIFT_RUN; i++) step.update(20, 1);
    assertThat(step.forecastNext()).isCloseTo(20, within(0.2));
  }
}
