package io.sidecar.config;

/** PEM certificate and key for a listener; {@code clientCa} (nullable) turns on client-certificate checks. */
public record TlsServerSpec(String cert, String key, String clientCa) {}
