package io.sidecar.predictor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.corpus.SyntheticSeries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCliTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        return ReplayCli.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    /** Writes a series as CSV; iso picks NAB-style "yyyy-MM-dd HH:mm:ss" timestamps; dropEvery removes rows. */
    private Path write(SyntheticSeries.Series s, boolean iso, int dropEvery, boolean header) throws IOException {
        StringBuilder b = new StringBuilder();
        if (header) {
            b.append("timestamp,value\n");
        }
        for (int i = 0; i < s.values().length; i++) {
            if (dropEvery > 0 && i % dropEvery == dropEvery - 1) {
                continue;
            }
            String ts = iso ? Instant.ofEpochSecond(s.timestamps()[i]).toString().replace('T', ' ').replace("Z", "")
                    : Long.toString(s.timestamps()[i]);
            double v = s.values()[i];
            b.append(ts).append(',').append(Double.isNaN(v) ? "" : Double.toString(v)).append('\n');
        }
        Path p = dir.resolve(s.name() + ".csv");
        Files.writeString(p, b.toString());
        return p;
    }

    @Test
    void anomaliesWritesOneRowPerInputRowWithScoresAndAlerts() throws IOException {
        SyntheticSeries.Series s = SyntheticSeries.corpus(42).get(0);
        Path in = write(s, true, 97, true);
        Path out = dir.resolve("out.csv");
        assertThat(run("anomalies", "--input", in.toString(), "--output", out.toString())).isZero();
        List<String> lines = Files.readAllLines(out);
        List<String> input = Files.readAllLines(in);
        assertThat(lines).hasSize(input.size());
        assertThat(lines.get(0)).isEqualTo("timestamp,value,anomaly_score,alert");
        int alerts = 0;
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            assertThat(cells).hasSize(4);
            assertThat(cells[0] + "," + cells[1]).isEqualTo(input.get(i));
            double score = Double.parseDouble(cells[2]);
            assertThat(score).isBetween(0.0, 1.0);
            assertThat(cells[3]).isEqualTo(score >= 0.9 ? "1" : "0");
            alerts += cells[3].equals("1") ? 1 : 0;
        }
        assertThat(alerts).isPositive();
        assertThat(err()).contains("step 300 s");
    }

    @Test
    void forecastColumnsAlignWithFutureRowsAndBeatSeasonalNaive() throws IOException {
        SyntheticSeries.Series s = SyntheticSeries.corpus(43).get(3); // hourly traffic, daily + weekly season
        Path in = write(s, false, 0, false);
        Path out = dir.resolve("f.csv");
        int h = 6;
        assertThat(run("replay", "forecast", "--input", in.toString(), "--horizon", "6", "--output",
                out.toString())).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo("timestamp,value,f1,f2,f3,f4,f5,f6");
        assertThat(lines).hasSize(s.values().length + 1);
        assertThat(lines.get(1).split(",", -1)[2]).isEmpty(); // warming up
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] c = lines.get(i).split(",", -1);
            assertThat(c).hasSize(2 + h);
            double[] r = new double[1 + h];
            for (int k = 0; k <= h; k++) {
                r[k] = c[k + 1].isEmpty() ? Double.NaN : Double.parseDouble(c[k + 1]);
            }
            rows.add(r);
        }
        int m = 24;
        double model = 0;
        double naive = 0;
        int n = 0;
        for (int t = 2 * 168; t + h < rows.size(); t++) {
            for (int k = 1; k <= h; k++) {
                double actual = rows.get(t + k)[0];
                double f = rows.get(t)[k];
                // seasonal-naive forecast of row t+k from rows up to t: the value one season before t+k
                int back = t + k - m * (int) Math.ceil(k / (double) m);
                double sn = rows.get(back)[0];
                if (!Double.isNaN(actual) && !Double.isNaN(f) && !Double.isNaN(sn)) {
                    model += Math.abs(actual - f);
                    naive += Math.abs(actual - sn);
                    n++;
                }
            }
        }
        System.out.printf("forecast replay: MAE %.2f vs seasonal-naive %.2f over %d (t, k) pairs%n", model / n,
                naive / n, n);
        assertThat(model).isLessThan(naive);
    }

    @Test
    void gapsAreMissingTimeSlotsAndForecastsReachTheRightRow() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            if (i >= 100 && i < 110) {
                continue; // a gap of 10 steps
            }
            b.append(1_700_000_000_000L + i * 60_000L).append(',').append(i % 20 == 7 ? "" : "" + (i * 2.0))
                    .append('\n');
        }
        Path in = dir.resolve("gap.csv");
        Files.writeString(in, b.toString());
        Path out = dir.resolve("gap-out.csv");
        assertThat(run("forecast", "--input", in.toString(), "--horizon", "1", "--output", out.toString()))
                .isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(191);
        // row just before the gap: f1 forecasts the row 11 minutes later, on a clean ramp of 2 per minute
        String[] before = lines.get(100).split(",", -1);
        assertThat(Long.parseLong(before[0])).isEqualTo(1_700_000_000_000L + 99 * 60_000L);
        assertThat(Double.parseDouble(before[2])).isCloseTo(220.0, org.assertj.core.data.Offset.offset(6.0));
    }

    @Test
    void malformedRowReportsItsLineNumber() throws IOException {
        Path in = dir.resolve("bad.csv");
        Files.writeString(in, "timestamp,value\n1700000000,1\n1700000060,2\n1700000120,abc\n");
        assertThat(run("anomalies", "--input", in.toString(), "--output", dir.resolve("o.csv").toString()))
                .isEqualTo(ReplayCli.BAD_INPUT);
        assertThat(err()).contains("line 4").contains("abc");
    }

    @Test
    void badTimestampAndColumnCountAreErrorsWithLines() throws IOException {
        Path in = dir.resolve("bad2.csv");
        Files.writeString(in, "1700000000,1\nyesterday,2\n");
        assertThat(run("anomalies", "--input", in.toString(), "--output", dir.resolve("o.csv").toString()))
                .isEqualTo(1);
        assertThat(err()).contains("line 2").contains("timestamp");
        Path in3 = dir.resolve("bad3.csv");
        Files.writeString(in3, "1700000000,1\n1700000060\n");
        assertThat(run("anomalies", "--input", in3.toString(), "--output", dir.resolve("o.csv").toString()))
                .isEqualTo(1);
        assertThat(err()).contains("line 2");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("forecast", "--input", "a.csv", "--output", "b.csv")).isEqualTo(2);
        assertThat(run("forecast", "--input", "a.csv", "--output", "b.csv", "--horizon", "zero")).isEqualTo(2);
        assertThat(run("detect", "--input", "a.csv", "--output", "b.csv")).isEqualTo(2);
        assertThat(run("anomalies", "--input", dir.resolve("none.csv").toString(), "--output", "b.csv"))
                .isEqualTo(1);
    }

    @Test
    void twentyThousandRowsRunQuickly() throws IOException {
        SyntheticSeries.Series s = SyntheticSeries.generate(new SyntheticSeries.Spec("big", 20_000, 300, 500, 300,
                60, 1, 15, true, 10, 3, 1, 0.01, 9));
        Path in = write(s, false, 0, true);
        long t0 = System.nanoTime();
        assertThat(run("anomalies", "--input", in.toString(), "--output", dir.resolve("a.csv").toString()))
                .isZero();
        long t1 = System.nanoTime();
        assertThat(run("forecast", "--input", in.toString(), "--horizon", "30", "--output",
                dir.resolve("b.csv").toString())).isZero();
        long t2 = System.nanoTime();
        System.out.printf("20k rows: anomalies %d ms, forecast H=30 %d ms%n", (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000);
        // "seconds", with room for the shared, loaded test box (measured 1.5 s in-process, drift score on)
        assertThat((t1 - t0) / 1e9).isLessThan(30);
        assertThat((t2 - t1) / 1e9).isLessThan(30);
    }
}
