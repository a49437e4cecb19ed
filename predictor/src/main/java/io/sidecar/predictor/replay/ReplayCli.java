package io.sidecar.predictor.replay;

import io.sidecar.predictor.anomaly.AnomalyConfig;
import io.sidecar.predictor.anomaly.AnomalyDetector;
import io.sidecar.predictor.anomaly.AnomalyScore;
import io.sidecar.predictor.forecast.ForecasterConfig;
import io.sidecar.predictor.forecast.OnlineForecaster;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Offline replay of a recorded series through the same classes the live predictor runs
 * ({@link AnomalyDetector}, {@link OnlineForecaster}).
 * <pre>
 *   replay anomalies --input IN.csv --output OUT.csv [--threshold T]
 *       out: timestamp,value,anomaly_score,alert     (alert = 1 when score >= threshold, default 0.9)
 *   replay forecast --input IN.csv --horizon H --output OUT.csv
 *       out: timestamp,value,f1..fH                  (fk forecasts row t+k from rows up to t; empty while warming)
 * </pre>
 * Exit codes: 0 done, 1 unreadable or malformed input / unwritable output, 2 usage error.
 */
public final class ReplayCli {
    public static final int OK = 0;
    public static final int BAD_INPUT = 1;
    public static final int USAGE = 2;
    public static final int MAX_HORIZON = 10_000;

    static final String USAGE_TEXT = """
            usage: replay anomalies --input IN.csv --output OUT.csv [--threshold T]
                   replay forecast --input IN.csv --horizon H --output OUT.csv
            input: CSV timestamp,value (header optional; epoch seconds/millis or ISO-8601; empty value = missing)
            """;

    private ReplayCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int first = args.length > 0 && args[0].equals("replay") ? 1 : 0;
        if (args.length <= first) {
            err.print(USAGE_TEXT);
            return USAGE;
        }
        String mode = args[first];
        Map<String, String> options = new HashMap<>();
        for (int i = first + 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                out.print(USAGE_TEXT);
                return OK;
            }
            if (!a.startsWith("--") || i + 1 >= args.length) {
                err.println("error: unexpected argument \"" + a + "\"");
                err.print(USAGE_TEXT);
                return USAGE;
            }
            options.put(a.substring(2), args[++i]);
        }
        if (!mode.equals("anomalies") && !mode.equals("forecast")) {
            err.println("error: unknown replay mode \"" + mode + "\" (anomalies or forecast)");
            err.print(USAGE_TEXT);
            return USAGE;
        }
        for (String key : options.keySet()) {
            boolean known = key.equals("input") || key.equals("output")
                    || (mode.equals("forecast") && key.equals("horizon"))
                    || (mode.equals("anomalies") && key.equals("threshold"));
            if (!known) {
                err.println("error: unknown option --" + key + " for replay " + mode);
                err.print(USAGE_TEXT);
                return USAGE;
            }
        }
        if (!options.containsKey("input") || !options.containsKey("output")) {
            err.println("error: --input and --output are required");
            err.print(USAGE_TEXT);
            return USAGE;
        }
        int horizon = 0;
        double threshold = AnomalyConfig.DEFAULT_ALERT_THRESHOLD;
        try {
            if (mode.equals("forecast")) {
                if (!options.containsKey("horizon")) {
                    err.println("error: --horizon is required for replay forecast");
                    err.print(USAGE_TEXT);
                    return USAGE;
                }
                horizon = Integer.parseInt(options.get("horizon"));
                if (horizon < 1 || horizon > MAX_HORIZON) {
                    throw new NumberFormatException();
                }
            }
            if (options.containsKey("threshold")) {
                threshold = Double.parseDouble(options.get("threshold"));
                if (!(threshold > 0 && threshold <= 1)) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            err.println("error: --horizon must be an integer in 1.." + MAX_HORIZON
                    + " and --threshold a number in (0, 1]");
            return USAGE;
        }
        Path input = Path.of(options.get("input"));
        Path output = Path.of(options.get("output"));
        CsvSeries series;
        try (Reader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            series = CsvSeries.read(reader);
        } catch (NoSuchFileException e) {
            err.println("error: " + input + ": no such file");
            return BAD_INPUT;
        } catch (CsvSeries.MalformedCsvException e) {
            err.println("error: " + input + ": " + e.getMessage());
            return BAD_INPUT;
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("error: cannot read " + input + ": " + e.getMessage());
            return BAD_INPUT;
        }
        long started = System.nanoTime();
        try (Writer writer = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            BufferedWriter w = new BufferedWriter(writer, 1 << 16);
            if (mode.equals("anomalies")) {
                anomalies(series, threshold, w);
            } else {
                forecast(series, horizon, w);
            }
            w.flush();
        } catch (IOException e) {
            err.println("error: cannot write " + output + ": " + e.getMessage());
            return BAD_INPUT;
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        err.printf(Locale.ROOT, "replay %s: %d rows, step %.0f s, %d ms%n", mode, series.rows().size(),
                series.stepSeconds(), ms);
        return OK;
    }

    /** Feeds the rows (and a missing observation per skipped time slot) into one detector. */
    static void anomalies(CsvSeries series, double threshold, Writer w) throws IOException {
        double step = series.stepSeconds() > 0 ? series.stepSeconds() : 60;
        AnomalyDetector detector = new AnomalyDetector("value",
                AnomalyConfig.DEFAULTS.withAlertThreshold(threshold), ForecasterConfig.forStep(step, 1),
                Clock.systemUTC());
        w.write("timestamp,value,anomaly_score,alert\n");
        List<CsvSeries.Row> rows = series.rows();
        for (int i = 0; i < rows.size(); i++) {
            feedGap(series, i, detector);
            CsvSeries.Row row = rows.get(i);
            AnomalyScore s = detector.observe(instant(row.epochSeconds()), row.value());
            w.write(csv(row.timestampText()));
            w.write(',');
            w.write(csv(row.valueText()));
            w.write(',');
            w.write(score(s.score()));
            w.write(s.score() >= threshold ? ",1\n" : ",0\n");
        }
    }

    private static void feedGap(CsvSeries series, int i, AnomalyDetector detector) {
        if (i == 0) {
            return;
        }
        long missing = series.slot(i) - series.slot(i - 1) - 1;
        for (long k = 0; k < missing; k++) {
            detector.observe(instant(series.rows().get(i - 1).epochSeconds()), Double.NaN);
        }
    }

    static void forecast(CsvSeries series, int horizon, Writer w) throws IOException {
        double step = series.stepSeconds() > 0 ? series.stepSeconds() : 60;
        OnlineForecaster forecaster = new OnlineForecaster(ForecasterConfig.forStep(step, horizon),
                Clock.systemUTC());
        StringBuilder header = new StringBuilder("timestamp,value");
        for (int k = 1; k <= horizon; k++) {
            header.append(",f").append(k);
        }
        w.write(header.append('\n').toString());
        List<CsvSeries.Row> rows = series.rows();
        StringBuilder line = new StringBuilder(32 + 16 * horizon);
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                long missing = series.slot(i) - series.slot(i - 1) - 1;
                for (long k = 0; k < missing; k++) {
                    forecaster.observe(Double.NaN);
                }
            }
            CsvSeries.Row row = rows.get(i);
            forecaster.observe(row.value());
            line.setLength(0);
            line.append(csv(row.timestampText())).append(',').append(csv(row.valueText()));
            boolean warm = forecaster.warm();
            for (int k = 1; k <= horizon; k++) {
                line.append(',');
                if (warm) {
                    // row t+k may be more than k time steps ahead when there are gaps
                    long steps = i + k < rows.size() ? series.slot(i + k) - series.slot(i)
                            : series.slot(rows.size() - 1) - series.slot(i) + (i + k - rows.size() + 1);
                    forecaster.forecast((int) Math.min(Integer.MAX_VALUE, steps))
                            .ifPresent(f -> line.append(number(f.point())));
                }
            }
            w.write(line.append('\n').toString());
        }
    }

    private static Instant instant(double epochSeconds) {
        long s = (long) Math.floor(epochSeconds);
        return Instant.ofEpochSecond(s, (long) ((epochSeconds - s) * 1e9));
    }

    private static String csv(String text) {
        return text.indexOf(',') >= 0 || text.indexOf('"') >= 0 ? '"' + text.replace("\"", "\"\"") + '"' : text;
    }

    /**
     * Up to 6 decimals, trailing zeros dropped, no exponent for ordinary magnitudes. Hand-rolled because
     * String.format costs microseconds per call (it builds DecimalFormatSymbols each time), which dominated a
     * 20k-row replay with 30 horizons.
     */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "";
        }
        double abs = Math.abs(v);
        if (abs >= 9e12 || (abs != 0 && abs < 1e-4)) {
            return Double.toString(v);
        }
        long scaled = Math.round(abs * 1e6);
        if (scaled == 0) {
            return "0";
        }
        StringBuilder b = new StringBuilder(24);
        if (v < 0) {
            b.append('-');
        }
        b.append(scaled / 1_000_000);
        long frac = scaled % 1_000_000;
        if (frac != 0) {
            String digits = Long.toString(frac + 1_000_000).substring(1);
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            b.append('.').append(digits, 0, end);
        }
        return b.toString();
    }

    /** A score in [0, 1] with exactly 6 decimals. */
    static String score(double v) {
        long scaled = Math.round(Math.max(0, Math.min(1, v)) * 1e6);
        String digits = Long.toString(scaled % 1_000_000 + 1_000_000).substring(1);
        return (scaled / 1_000_000) + "." + digits;
    }
}
