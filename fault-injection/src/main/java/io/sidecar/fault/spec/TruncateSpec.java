package io.sidecar.fault.spec;

/** Close the connection after {@code afterBytes} bytes of response body. */
public record TruncateSpec(long afterBytes) {}
