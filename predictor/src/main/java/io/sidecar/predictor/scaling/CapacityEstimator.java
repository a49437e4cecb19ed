package io.sidecar.predictor.scaling;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Estimates one instance's capacity from what it was observed doing (one sample per minute: mean in-flight,
 * throughput, p99 latency).
 * <ul>
 *   <li>With a latency SLO: the latency knee, the highest observed throughput whose p99 stayed within the SLO
 *       (empirical, so never an extrapolation); when the USL fits too, the smaller of the two.</li>
 *   <li>Without: the USL capacity ({@link UslModel#capacity(double)}), with the concurrency capped at 1.5x the
 *       largest observed, so an instance never pushed hard is not credited with capacity nobody saw.</li>
 * </ul>
 * Thread-safe (synchronized); samples are kept in a bounded window; the estimate is recomputed after every
 * {@link #REFIT_EVERY} new samples (a fit costs milliseconds, the samples arrive once a minute).
 */
public final class CapacityEstimator {
    public static final int DEFAULT_WINDOW = 1_440;
    static final double EXTRAPOLATION = 1.5;
    public static final int REFIT_EVERY = 10;

    /** One minute of one instance: mean concurrency, throughput (req/s) and p99 latency (ms). */
    public record Sample(double concurrency, double throughput, double p99Millis) {
    }

    private final int window;
    private final double sloMillis;
    private final List<Sample> samples = new ArrayList<>();
    private Optional<CapacityEstimate> cached;
    private int addedSinceEstimate;

    /** @param sloMillis p99 latency objective in ms, or NaN / 0 for none */
    public CapacityEstimator(int window, double sloMillis) {
        if (window < UslFitter.MIN_LEVELS) {
            throw new IllegalArgumentException("window must be >= " + UslFitter.MIN_LEVELS + ", was " + window);
        }
        this.window = window;
        this.sloMillis = sloMillis > 0 ? sloMillis : Double.NaN;
    }

    public synchronized void add(Sample sample) {
        if (!(sample.throughput() > 0)) {
            return;
        }
        samples.add(sample);
        if (samples.size() > window) {
            samples.remove(0);
        }
        addedSinceEstimate++;
    }

    public synchronized Optional<CapacityEstimate> estimate() {
        if (cached == null || addedSinceEstimate >= REFIT_EVERY || (cached.isEmpty() && addedSinceEstimate > 0)) {
            cached = compute();
            addedSinceEstimate = 0;
        }
        return cached;
    }

    private Optional<CapacityEstimate> compute() {
        List<UslFitter.Observation> obs = new ArrayList<>();
        double maxN = 0;
        for (Sample s : samples) {
            obs.add(new UslFitter.Observation(s.concurrency(), s.throughput()));
            maxN = Math.max(maxN, s.concurrency());
        }
        Optional<UslModel> usl = UslFitter.fit(obs);
        double uslCapacity = usl.map(m -> m.capacity(EXTRAPOLATION * Math.max(1, maxNOf()))).orElse(Double.NaN);
        if (!Double.isNaN(sloMillis)) {
            double knee = Double.NaN;
            for (Sample s : samples) {
                if (s.p99Millis() <= sloMillis && (Double.isNaN(knee) || s.throughput() > knee)) {
                    knee = s.throughput();
                }
            }
            if (!Double.isNaN(knee)) {
                double cap = Double.isNaN(uslCapacity) ? knee : Math.min(knee, uslCapacity);
                return Optional.of(new CapacityEstimate(cap, "slo_knee", usl.orElse(null), samples.size()));
            }
        }
        if (!Double.isNaN(uslCapacity) && uslCapacity > 0 && Double.isFinite(uslCapacity)) {
            return Optional.of(new CapacityEstimate(uslCapacity, "usl", usl.get(), samples.size()));
        }
        return Optional.empty();
    }

    private double maxNOf() {
        double m = 0;
        for (Sample s : samples) {
            m = Math.max(m, s.concurrency());
        }
        return m;
    }
}
