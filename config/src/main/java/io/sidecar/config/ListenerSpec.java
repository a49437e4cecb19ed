package io.sidecar.config;

/** A downstream listener; {@code tls} is null for plain HTTP/1.1 + h2c. */
public record ListenerSpec(String name, HostPort address, TlsServerSpec tls) {}
