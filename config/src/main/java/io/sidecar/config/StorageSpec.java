package io.sidecar.config;

/** History store: a PostgreSQL URL, or null for in-memory history. */
public record StorageSpec(String postgres) {}
