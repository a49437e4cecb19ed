package io.sidecar.config;

/**
 * A downstream listener; {@code tls} is null for a plain one.
 *
 * @param h2c whether a plain listener also accepts HTTP/2 in clear text (prior knowledge or {@code Upgrade: h2c}).
 *            Off, it speaks HTTP/1.x only, and the byte-level path takes each connection from its first request
 *            (Envoy's {@code codec_type: HTTP1}); TLS listeners negotiate h2 by ALPN instead
 */
public record ListenerSpec(String name, HostPort address, TlsServerSpec tls, boolean h2c) {}
