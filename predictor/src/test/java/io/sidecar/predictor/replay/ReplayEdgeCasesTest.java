package io.sidecar.predictor.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayEdgeCasesTest {
    @TempDir
    Path dir;

    private List<String> replay(String mode, String csv, String... extra) throws IOException {
        Path in = dir.resolve(mode + "-in.csv");
        Path out = dir.resolve(mode + "-out.csv");
        Files.writeString(in, csv);
        String[] base = {mode, "--input", in.toString(), "--output", out.toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReplayCli.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return Files.readAllLines(out);
    }

    @Test
    void constantSeriesScoresZeroAndForecastsTheConstant() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            b.append(1_600_000_000 + i * 300).append(",42\n");
        }
        List<String> a = replay("anomalies", b.toString());
        assertThat(a.subList(1, a.size())).allSatisfy(l -> assertThat(l).endsWith(",0.000000,0"));
        List<String> f = replay("forecast", b.toString(), "--horizon", "3");
        assertThat(f.get(f.size() - 1)).endsWith(",42,42,42");
    }

    @Test
    void tinySeriesIsAllWarmUp() throws IOException {
        List<String> f = replay("forecast", "1,1\n2,2\n3,3\n", "--horizon", "2");
        assertThat(f).containsExactly("timestamp,value,f1,f2", "1,1,,", "2,2,,", "3,3,,");
        List<String> a = replay("anomalies", "1,1\n2,2\n3,3\n");
        assertThat(a).hasSize(4);
    }

    @Test
    void hugeAndTinyMagnitudesAndJitteredIsoTimestamps() throws IOException {
        Random r = new Random(1);
        StringBuilder big = new StringBuilder("time,value\n");
        StringBuilder small = new StringBuilder();
        for (int i = 0; i < 800; i++) {
            long seconds = 1_600_000_000L + i * 60L + r.nextInt(5);
            String iso = java.time.Instant.ofEpochSecond(seconds).atOffset(java.time.ZoneOffset.ofHours(2))
                    .toString();
            double v = 1e9 * (1 + 0.1 * Math.sin(i / 20.0) + 0.01 * r.nextGaussian()) + (i == 700 ? 5e8 : 0);
            big.append(iso).append(',').append(v).append('\n');
            small.append(seconds * 1000).append(',').append(v * 1e-15).append('\n');
        }
        List<String> a = replay("anomalies", big.toString());
        assertThat(a).hasSize(801);
        assertThat(a.get(701)).endsWith(",1");
        List<String> s = replay("anomalies", small.toString());
        assertThat(s.get(701)).endsWith(",1");
        List<String> f = replay("forecast", big.toString(), "--horizon", "1");
        double f1 = Double.parseDouble(f.get(600).split(",")[2]);
        double next = Double.parseDouble(f.get(601).split(",")[1]);
        assertThat(Math.abs(f1 - next) / next).isLessThan(0.05);
    }

    @Test
    void epochUnitsAreRecognised() {
        assertThat(CsvSeries.parseTimestamp("1600000000")).isEqualTo(1.6e9);
        assertThat(CsvSeries.parseTimestamp("1600000000000")).isEqualTo(1.6e9);
        assertThat(CsvSeries.parseTimestamp("1600000000000000")).isEqualTo(1.6e9);
        assertThat(CsvSeries.parseTimestamp("1600000000000000000")).isEqualTo(1.6e9);
        assertThat(CsvSeries.parseTimestamp("2020-09-13T12:26:40Z")).isEqualTo(1.6e9);
        assertThat(CsvSeries.parseTimestamp("2020-09-13")).isEqualTo(1.59995520e9);
        assertThat(CsvSeries.parseTimestamp("13/09/2020")).isNaN();
    }

    @Test
    void csvParsingForms() throws Exception {
        CsvSeries s = CsvSeries.read(new StringReader(
                "\uFEFF\"timestamp\",\"value\"\n2014-04-01 00:00:00,1.5\n2014-04-01T00:05:00Z,\n"
                        + "2014-04-01T00:10:00.000+00:00,NaN\n2014-04-01 00:20:00,3\n"));
        assertThat(s.hadHeader()).isTrue();
        assertThat(s.rows()).hasSize(4);
        assertThat(s.stepSeconds()).isEqualTo(300.0);
        assertThat(s.rows().get(1).value()).isNaN();
        assertThat(s.rows().get(2).value()).isNaN();
        assertThat(s.slot(3)).isEqualTo(4); // 00:15 is missing
    }

    @Test
    void irregularTimestampsKeepTheirPlaceOnTheTimeGrid() throws Exception {
        // found replaying NAB realTraffic/TravelTime_451 (median step 10 minutes, rows 9 to 30 minutes apart): slots
        // summed from rounded differences drifted 21 steps from the clock, shifting the daily season
        StringBuilder b = new StringBuilder();
        long t = 1_600_000_000L;
        int[] diffs = {600, 600, 840};
        for (int i = 0; i < 3000; i++) {
            b.append(t).append(",1\n");
            t += diffs[i % 3];
        }
        CsvSeries s = CsvSeries.read(new StringReader(b.toString()));
        assertThat(s.stepSeconds()).isEqualTo(600.0);
        double first = s.rows().get(0).epochSeconds();
        for (int i = 1; i < s.rows().size(); i++) {
            double onGrid = (s.rows().get(i).epochSeconds() - first) / 600.0;
            assertThat((double) s.slot(i)).as("row %d", i).isCloseTo(onGrid, within(0.5));
            assertThat(s.slot(i)).isGreaterThan(s.slot(i - 1));
        }
    }

    @Test
    void duplicateTimestampsTakeASlotEachAndAVeryLongGapIsShortened() throws Exception {
        long step = 300;
        long gap = (CsvSeries.MAX_GAP_STEPS + 5_000L) * step;
        long[] ts = {0, step, step, 2 * step, 2 * step + gap, 3 * step + gap};
        StringBuilder b = new StringBuilder();
        for (long x : ts) {
            b.append(1_600_000_000L + x).append(",1\n");
        }
        CsvSeries s = CsvSeries.read(new StringReader(b.toString()));
        long[] slots = new long[ts.length];
        for (int i = 0; i < ts.length; i++) {
            slots[i] = s.slot(i);
        }
        assertThat(slots).containsExactly(0, 1, 2, 3, 3 + CsvSeries.MAX_GAP_STEPS, 4 + CsvSeries.MAX_GAP_STEPS);
    }
}
