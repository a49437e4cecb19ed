package io.sidecar.fault.spec;

/** A delay: when it applies and how long it lasts. */
public record DelaySpec(DelayPhase phase, DelayDistribution distribution) {}
