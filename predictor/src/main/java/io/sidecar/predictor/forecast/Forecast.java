package io.sidecar.predictor.forecast;

/** A point forecast {@code horizon} steps ahead with its prediction interval. */
public record Forecast(int horizon, double point, double lower, double upper) {
}
