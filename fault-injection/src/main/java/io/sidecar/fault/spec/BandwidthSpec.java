package io.sidecar.fault.spec;

/** Limit the response body rate to {@code bytesPerSecond} (YAML: {@code kib_per_second}, 1 KiB = 1024 B). */
public record BandwidthSpec(long bytesPerSecond) {}
