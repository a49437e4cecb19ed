package io.sidecar.predictor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.corpus.SyntheticSeries;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replay forecasts over the synthetic corpus scored the way the issue scores them: for every row t and k in
 * 1..H, |actual(t+k) - fk(t)| against the seasonal-naive forecast (the value one day earlier than t+k, from
 * rows up to t), over the rows where both exist.
 */
class ForecastCorpusTest {
    static final int H = 12;

    record Score(double model, double naive, int pairs) {
        double ratio() {
            return model / naive;
        }
    }

    static Score score(SyntheticSeries.Series s) throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < s.values().length; i++) {
            double v = s.values()[i];
            csv.append(s.timestamps()[i]).append(',').append(Double.isNaN(v) ? "" : Double.toString(v)).append('\n');
        }
        CsvSeries series = CsvSeries.read(new StringReader(csv.toString()));
        StringWriter out = new StringWriter();
        ReplayCli.forecast(series, H, out);
        List<String> lines = out.toString().lines().toList();
        int m = (int) Math.round(86_400.0 / s.stepSeconds());
        double[] y = s.values();
        double model = 0;
        double naive = 0;
        int n = 0;
        for (int t = 0; t + 1 < lines.size(); t++) {
            String[] cells = lines.get(t + 1).split(",", -1);
            for (int k = 1; k <= H && t + k < y.length; k++) {
                if (cells[1 + k].isEmpty()) {
                    continue;
                }
                int back = t + k - m * (int) Math.ceil(k / (double) m);
                if (back < 0 || Double.isNaN(y[t + k]) || Double.isNaN(y[back])) {
                    continue;
                }
                model += Math.abs(y[t + k] - Double.parseDouble(cells[1 + k]));
                naive += Math.abs(y[t + k] - y[back]);
                n++;
            }
        }
        return new Score(model / n, naive / n, n);
    }

    @Test
    void beatsSeasonalNaiveOnEverySeries() throws Exception {
        for (SyntheticSeries.Series s : SyntheticSeries.corpus(404)) {
            Score sc = score(s);
            System.out.printf("forecast %s H=%d: MAE %.3f vs seasonal-naive %.3f (ratio %.2f, %d pairs)%n", s.name(),
                    H, sc.model(), sc.naive(), sc.ratio(), sc.pairs());
            assertThat(sc.ratio()).as(s.name()).isLessThan(1.0);
        }
    }
}
