package io.sidecar.predictor.forecast;

/**
 * Online one-step accuracy. {@code mase} is the ratio of the model's MAE to the seasonal-naive forecast's MAE
 * (y_t predicted by y_{t-m}, or y_{t-1} without season) on the same observations: the out-of-sample form of
 * Hyndman and Koehler 2006's MASE. Below 1 the model beats seasonal-naive.
 */
public record Accuracy(long count, double mae, double naiveMae, double mase, double recentMae, double recentMase) {
}
