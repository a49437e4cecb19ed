package io.sidecar.fault.spec;

import java.time.Duration;

/** Wait {@code delay} after the last body byte before ending the response. */
public record SlowCloseSpec(Duration delay) {}
