package io.sidecar.balancer;

/**
 * Envoy {@code least_request} settings: {@code choiceCount} samples for P2C (default 2), {@code activeRequestBias}
 * for unequal weights (default 1.0). Invalid values throw IllegalArgumentException naming the field.
 */
public record LeastRequestConfig(int choiceCount, double activeRequestBias) {

    public static final int DEFAULT_CHOICE_COUNT = 2;
    public static final double DEFAULT_ACTIVE_REQUEST_BIAS = 1.0;
    public static final LeastRequestConfig DEFAULTS = new LeastRequestConfig(DEFAULT_CHOICE_COUNT,
            DEFAULT_ACTIVE_REQUEST_BIAS);

    public LeastRequestConfig {
        if (choiceCount < 2) {
            throw new IllegalArgumentException("leastRequest.choiceCount must be >= 2, was " + choiceCount);
        }
        if (!(activeRequestBias >= 0) || Double.isInfinite(activeRequestBias)) {
            throw new IllegalArgumentException("leastRequest.activeRequestBias must be >= 0, was " + activeRequestBias);
        }
    }
}
