package io.sidecar.predictor.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A generator of realistic operational time series for tests: request counts, CPU, latency and traffic-like
 * shapes with daily and weekly seasons, trend, level shifts, spikes, gradual drifts, missing points and noise.
 * Every injected anomaly is labelled with the index range it covers, NAB style.
 *
 * <p>The parameters are chosen to look like the real thing (a daily cycle with a night trough, weekends lower,
 * Poisson-like noise on counts, heavy-tailed latency noise), not to suit any detector.
 */
public final class SyntheticSeries {
    /** A labelled anomaly: the first and last index it affects and what kind it is. */
    public record Anomaly(int start, int end, String kind) {
    }

    /** A generated series: timestamps in epoch seconds, values (NaN = missing), the labels. */
    public record Series(String name, long[] timestamps, double[] values, List<Anomaly> anomalies, int stepSeconds) {
        public boolean isAnomalous(int i, int slack) {
            for (Anomaly a : anomalies) {
                if (i >= a.start() - slack && i <= a.end() + slack) {
                    return true;
                }
            }
            return false;
        }
    }

    /** What to generate. */
    public record Spec(String name, int length, int stepSeconds, double base, double dailyAmplitude,
                       double weeklyAmplitude, double trendPerDay, double noise, boolean heavyTail,
                       int spikes, int levelShifts, int drifts, double missingFraction, long seed) {
    }

    private SyntheticSeries() {
    }

    public static Series generate(Spec spec) {
        Random rnd = new Random(spec.seed());
        int n = spec.length();
        double stepsPerDay = 86_400.0 / spec.stepSeconds();
        double[] v = new double[n];
        long[] ts = new long[n];
        long t0 = 1_600_000_000L - 1_600_000_000L % 86_400;
        for (int i = 0; i < n; i++) {
            ts[i] = t0 + (long) i * spec.stepSeconds();
            double day = i / stepsPerDay;
            double phase = 2 * Math.PI * (day % 1.0);
            // daily shape: trough at night, peak in the afternoon, with a second harmonic
            double daily = -Math.cos(phase) * 0.8 - 0.2 * Math.cos(2 * phase);
            int weekday = (int) Math.floor(day) % 7;
            double weekly = weekday >= 5 ? -1 : 0.2;
            v[i] = spec.base() + spec.dailyAmplitude() * daily + spec.weeklyAmplitude() * weekly
                    + spec.trendPerDay() * day;
        }
        // AR(1) noise, optionally heavy-tailed
        double ar = 0;
        for (int i = 0; i < n; i++) {
            double shock = spec.heavyTail() ? studentT3(rnd) * 0.6 : rnd.nextGaussian();
            ar = 0.5 * ar + shock * spec.noise();
            v[i] += ar;
        }
        List<Anomaly> labels = new ArrayList<>();
        int margin = Math.max(50, n / 10);
        for (int s = 0; s < spec.spikes(); s++) {
            int at = margin + rnd.nextInt(n - 2 * margin);
            double size = (8 + rnd.nextDouble() * 6) * spec.noise() + 0.3 * spec.dailyAmplitude();
            v[at] += rnd.nextBoolean() || spec.base() < size * 2 ? size : -size;
            labels.add(new Anomaly(at, at, "spike"));
        }
        for (int s = 0; s < spec.levelShifts(); s++) {
            int at = margin + rnd.nextInt(n - 2 * margin);
            int len = Math.min(n - at, (int) (stepsPerDay / 4) + rnd.nextInt((int) Math.max(2, stepsPerDay / 2)));
            double size = (6 + rnd.nextDouble() * 4) * spec.noise() * (rnd.nextBoolean() ? 1 : -1);
            for (int i = at; i < at + len; i++) {
                v[i] += size;
            }
            labels.add(new Anomaly(at, at + Math.min(len - 1, 10), "level_shift"));
            if (at + len < n) {
                // the return to the old level is a change of its own
                labels.add(new Anomaly(at + len, Math.min(n - 1, at + len + 10), "level_shift_end"));
            }
        }
        for (int s = 0; s < spec.drifts(); s++) {
            int at = margin + rnd.nextInt(n - 2 * margin);
            int len = Math.min(n - at, (int) Math.max(20, stepsPerDay / 3));
            double size = 12 * spec.noise();
            for (int i = at; i < n; i++) {
                v[i] += size * Math.min(1.0, (i - at) / (double) len);
            }
            labels.add(new Anomaly(at, Math.min(n - 1, at + len), "drift"));
        }
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < spec.missingFraction()) {
                v[i] = Double.NaN;
            }
        }
        return new Series(spec.name(), ts, v, labels, spec.stepSeconds());
    }

    /**
     * The series with one more gradual drift: from {@code at} the level ramps linearly by {@code size} over
     * {@code len} points and stays there (a leak, a slowly filling cache, a creeping dependency). Labelled over the
     * ramp.
     */
    public static Series withDrift(Series s, int at, int len, double size) {
        double[] v = s.values().clone();
        for (int i = at; i < v.length; i++) {
            v[i] += size * Math.min(1.0, (i - at + 1) / (double) len);
        }
        List<Anomaly> labels = new ArrayList<>(s.anomalies());
        labels.add(new Anomaly(at, Math.min(v.length - 1, at + len - 1), "drift"));
        return new Series(s.name() + "+drift", s.timestamps(), v, labels, s.stepSeconds());
    }

    /**
     * Slow drifts only (the main corpus has one fast drift per seed, in the CPU series): each series is a clean
     * shape with a drift of 5 to 10 noise sigmas over a few hours to three days, up or down, starting at a random
     * point of the second half.
     */
    public static List<Series> driftCorpus(long seed) {
        Random rnd = new Random(seed * 31 + 7);
        List<Series> out = new ArrayList<>();
        Spec[] shapes = {
            new Spec("requests_5m", 4032, 300, 500, 300, 60, 0, 15, false, 0, 0, 0, 0.01, seed),
            new Spec("cpu_5m", 4032, 300, 40, 15, 3, 0, 2, true, 0, 0, 0, 0.0, seed + 1),
            new Spec("latency_1m", 6000, 60, 120, 20, 0, 0, 6, true, 0, 0, 0, 0.02, seed + 2),
            new Spec("traffic_1h", 1500, 3600, 1000, 500, 200, 0, 30, false, 0, 0, 0, 0.0, seed + 3),
            new Spec("flat_noise_1m", 3000, 60, 50, 0, 0, 0, 3, false, 0, 0, 0, 0.0, seed + 4),
        };
        for (Spec spec : shapes) {
            Series base = generate(spec);
            int n = spec.length();
            double hours = (4 + rnd.nextDouble() * 68);
            int len = (int) Math.max(20, Math.min(n / 4, hours * 3600 / spec.stepSeconds()));
            int at = n / 2 + rnd.nextInt(n / 2 - len);
            double size = (5 + rnd.nextDouble() * 5) * spec.noise() * (rnd.nextBoolean() ? 1 : -1);
            out.add(withDrift(base, at, len, size));
        }
        return out;
    }

    private static double studentT3(Random rnd) {
        double z = rnd.nextGaussian();
        double chi = 0;
        for (int k = 0; k < 3; k++) {
            double g = rnd.nextGaussian();
            chi += g * g;
        }
        // bounded: real heavy-tailed noise has a ceiling; unbounded t3 would plant unlabelled anomalies
        return Math.max(-6, Math.min(6, z / Math.sqrt(chi / 3)));
    }

    /** A small, varied corpus: 5-minute request counts, CPU, latency, hourly traffic. */
    public static List<Series> corpus(long seed) {
        List<Series> out = new ArrayList<>();
        out.add(generate(new Spec("requests_5m", 4032, 300, 500, 300, 60, 2, 15, false, 3, 1, 0, 0.01, seed)));
        out.add(generate(new Spec("cpu_5m", 4032, 300, 40, 15, 3, 0, 2, true, 2, 1, 1, 0.0, seed + 1)));
        out.add(generate(new Spec("latency_1m", 6000, 60, 120, 20, 0, 0, 6, true, 3, 1, 0, 0.02, seed + 2)));
        out.add(generate(new Spec("traffic_1h", 1500, 3600, 1000, 500, 200, 5, 30, false, 2, 1, 0, 0.0, seed + 3)));
        out.add(generate(new Spec("flat_noise_1m", 3000, 60, 50, 0, 0, 0, 3, false, 2, 1, 0, 0.0, seed + 4)));
        return out;
    }
}
