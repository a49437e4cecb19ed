package io.sidecar.config;

/** TLS towards a cluster's endpoints; null in {@link ClusterSpec} means plain text. */
public record UpstreamTlsSpec(boolean verify, String caFile, String sni, String cert, String key) {}
