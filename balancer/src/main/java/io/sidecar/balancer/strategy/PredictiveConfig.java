package io.sidecar.balancer.strategy;

import java.time.Duration;

/**
 * Settings of the {@code predictive} strategy. Every field is validated; an invalid value throws
 * IllegalArgumentException naming the field.
 *
 * @param modelDecay        time constant of the latency-by-load model (older samples weigh exp(-age/decay))
 * @param errorDecay        time constant of the failure-probability estimate
 * @param failurePenalty    latency-equivalent cost of a predicted failure: cost = predicted + p(fail) · penalty
 * @param hotQuantile       Prequal's Q_RIF: an endpoint is hot when its requests in flight exceed this quantile
 *                          of the considered endpoints' (paper range 0.6..0.9)
 * @param exploreInterval   an idle endpoint not picked for this long receives one exploratory request
 * @param minSamples        observations an endpoint needs before its model is trusted (before: peak-EWMA cost;
 *                          when no considered endpoint has enough: exact p2c_peak_ewma)
 * @param maxConsidered     endpoints considered per pick, a fresh random subset each time when there are more
 *                          (power of d choices, Mitzenmacher; Prequal also samples a few replicas per query).
 *                          Default 3: a global minimum over all endpoints makes independent clients herd onto the
 *                          same endpoint and, past capacity, equalises every queue so all of them cross the
 *                          deadline together (measured in the simulator, scenario 5)
 * @param hintTtl           how long an upstream {@code x-sidecar-load} report stays usable
 * @param peerTtl           how long a peer load report ({@code ClusterBalancer.observePeerLoad}) stays usable.
 *                          Default 3 s: snapshots are published every second, so one or two lost or late
 *                          publications do not drop the information, while a report older than three publication
 *                          periods means the publisher is gone and is no longer trusted
 */
public record PredictiveConfig(Duration modelDecay, Duration errorDecay, Duration failurePenalty, double hotQuantile,
                               Duration exploreInterval, int minSamples, int maxConsidered, Duration hintTtl,
                               Duration peerTtl) {

    public static final Duration DEFAULT_MODEL_DECAY = Duration.ofSeconds(2);
    public static final Duration DEFAULT_ERROR_DECAY = Duration.ofSeconds(2);
    public static final Duration DEFAULT_FAILURE_PENALTY = Duration.ofSeconds(1);
    public static final double DEFAULT_HOT_QUANTILE = 0.8;
    public static final Duration DEFAULT_EXPLORE_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MIN_SAMPLES = 10;
    public static final int DEFAULT_MAX_CONSIDERED = 3;
    public static final Duration DEFAULT_HINT_TTL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_PEER_TTL = Duration.ofSeconds(3);

    public static final PredictiveConfig DEFAULTS = new PredictiveConfig(DEFAULT_MODEL_DECAY, DEFAULT_ERROR_DECAY,
            DEFAULT_FAILURE_PENALTY, DEFAULT_HOT_QUANTILE, DEFAULT_EXPLORE_INTERVAL, DEFAULT_MIN_SAMPLES,
            DEFAULT_MAX_CONSIDERED, DEFAULT_HINT_TTL, DEFAULT_PEER_TTL);

    public PredictiveConfig {
        positive("predictive.modelDecay", modelDecay);
        positive("predictive.errorDecay", errorDecay);
        nonNegative("predictive.failurePenalty", failurePenalty);
        if (!(hotQuantile > 0 && hotQuantile <= 1)) {
            throw new IllegalArgumentException("predictive.hotQuantile must be in (0, 1], was " + hotQuantile);
        }
        positive("predictive.exploreInterval", exploreInterval);
        if (minSamples < 0) {
            throw new IllegalArgumentException("predictive.minSamples must be >= 0, was " + minSamples);
        }
        if (maxConsidered < 2) {
            throw new IllegalArgumentException("predictive.maxConsidered must be >= 2, was " + maxConsidered);
        }
        positive("predictive.hintTtl", hintTtl);
        positive("predictive.peerTtl", peerTtl);
    }

    static void positive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration, was " + d);
        }
    }

    static void nonNegative(String field, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(field + " must be a duration >= 0, was " + d);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Duration modelDecay = DEFAULT_MODEL_DECAY;
        private Duration errorDecay = DEFAULT_ERROR_DECAY;
        private Duration failurePenalty = DEFAULT_FAILURE_PENALTY;
        private double hotQuantile = DEFAULT_HOT_QUANTILE;
        private Duration exploreInterval = DEFAULT_EXPLORE_INTERVAL;
        private int minSamples = DEFAULT_MIN_SAMPLES;
        private int maxConsidered = DEFAULT_MAX_CONSIDERED;
        private Duration hintTtl = DEFAULT_HINT_TTL;
        private Duration peerTtl = DEFAULT_PEER_TTL;

        public Builder modelDecay(Duration v) { modelDecay = v; return this; }
        public Builder errorDecay(Duration v) { errorDecay = v; return this; }
        public Builder failurePenalty(Duration v) { failurePenalty = v; return this; }
        public Builder hotQuantile(double v) { hotQuantile = v; return this; }
        public Builder exploreInterval(Duration v) { exploreInterval = v; return this; }
        public Builder minSamples(int v) { minSamples = v; return this; }
        public Builder maxConsidered(int v) { maxConsidered = v; return this; }
        public Builder hintTtl(Duration v) { hintTtl = v; return this; }
        public Builder peerTtl(Duration v) { peerTtl = v; return this; }

        public PredictiveConfig build() {
            return new PredictiveConfig(modelDecay, errorDecay, failurePenalty, hotQuantile, exploreInterval,
                    minSamples, maxConsidered, hintTtl, peerTtl);
        }
    }
}
