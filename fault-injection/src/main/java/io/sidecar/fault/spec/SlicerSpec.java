package io.sidecar.fault.spec;

import java.time.Duration;

/**
 * Send the response body in small chunks of {@code averageSize} +- {@code sizeVariation} bytes with
 * {@code delay} between them (Toxiproxy's slicer).
 */
public record SlicerSpec(int averageSize, int sizeVariation, Duration delay) {}
