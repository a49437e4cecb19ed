package io.sidecar.fault.spec;

/** Where a delay is applied: before the request goes upstream, or before the response's first byte. */
public enum DelayPhase { REQUEST, RESPONSE }
