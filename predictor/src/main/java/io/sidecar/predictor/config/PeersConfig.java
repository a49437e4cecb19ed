package io.sidecar.predictor.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The {@code predictor.peers} section: where peer snapshots come from.
 *
 * @param redis Redis URI for pub/sub exchange (null: no Redis)
 * @param staticPeers admin base URLs of peers to poll with {@code GET /signals/snapshot} when there is no Redis
 * @param publishEvery how often this instance publishes (or polls)
 * @param forgetAfter a peer silent this long is dropped; 0 = three publish intervals
 * @param advertise {@code host:port} put in this instance's snapshots as {@code addr}, the address calling
 *                  sidecars know it by (its inbound listener); null = none (default)
 */
public record PeersConfig(URI redis, List<URI> staticPeers, Duration publishEvery, Duration forgetAfter,
                          String advertise) {
    public static final Duration DEFAULT_PUBLISH_EVERY = Duration.ofSeconds(1);
    public static final int DEFAULT_FORGET_AFTER_INTERVALS = 3;
    public static final PeersConfig LOCAL_ONLY = new PeersConfig(null, List.of(), DEFAULT_PUBLISH_EVERY,
            Duration.ZERO);

    /** Without an advertised address. */
    public PeersConfig(URI redis, List<URI> staticPeers, Duration publishEvery, Duration forgetAfter) {
        this(redis, staticPeers, publishEvery, forgetAfter, null);
    }

    public PeersConfig {
        String p = "predictor.peers.";
        if (advertise != null && !isHostPort(advertise)) {
            throw new IllegalArgumentException(p + "advertise must be host:port (e.g. 10.0.0.7:15001 or"
                    + " [fd00::7]:15001), was \"" + advertise + "\"");
        }
        if (redis != null && !"redis".equals(redis.getScheme()) && !"rediss".equals(redis.getScheme())) {
            throw new IllegalArgumentException(p + "redis must be a redis:// or rediss:// URI, was " + redis);
        }
        staticPeers = staticPeers == null ? List.of() : List.copyOf(staticPeers);
        for (int i = 0; i < staticPeers.size(); i++) {
            URI u = staticPeers.get(i);
            if (u == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException(p + "static[" + i + "] must be an http(s):// URL, was " + u);
            }
        }
        if (publishEvery == null || publishEvery.toMillis() < 10) {
            throw new IllegalArgumentException(p + "publish_every must be at least 10ms, was " + publishEvery);
        }
        if (forgetAfter == null || forgetAfter.isNegative()) {
            throw new IllegalArgumentException(p + "forget_after must be a non-negative duration, was "
                    + forgetAfter);
        }
        if (forgetAfter.isZero()) {
            forgetAfter = publishEvery.multipliedBy(DEFAULT_FORGET_AFTER_INTERVALS);
        } else if (forgetAfter.compareTo(publishEvery) <= 0) {
            throw new IllegalArgumentException(p + "forget_after must be longer than publish_every (" + publishEvery
                    + "), was " + forgetAfter);
        }
    }

    public static PeersConfig redis(URI redis, Duration publishEvery) {
        return new PeersConfig(redis, List.of(), publishEvery, Duration.ZERO);
    }

    /** The same section advertising {@code hostPort} (validated as {@code predictor.peers.advertise}). */
    public PeersConfig withAdvertise(String hostPort) {
        return new PeersConfig(redis, staticPeers, publishEvery, forgetAfter, hostPort);
    }

    /** host:port with a non-empty host (IPv6 in brackets) and a port in 1..65535, no scheme or path. */
    static boolean isHostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return false;
        }
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        if (!port.chars().allMatch(Character::isDigit) || port.length() > 5) {
            return false;
        }
        int n = Integer.parseInt(port);
        if (n < 1 || n > 65_535) {
            return false;
        }
        if (host.startsWith("[")) {
            return host.endsWith("]") && host.length() > 2 && host.substring(1, host.length() - 1).contains(":");
        }
        return host.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_');
    }

    public String mode() {
        return redis != null ? "redis" : staticPeers.isEmpty() ? "local" : "static";
    }
}
