package io.sidecar.predictor.forecast;

import java.time.Instant;

/**
 * One fitted model. {@code validationMae} is the candidate's out-of-sample one-step MAE on the validation tail of
 * its window; {@code incumbentMae} the MAE the model in use had on the same observations (NaN if unknown).
 */
public record ModelVersion(int id, Instant createdAt, long atObservation, HoltWintersParams params,
                           double validationMae, double incumbentMae, boolean promoted) {
}
