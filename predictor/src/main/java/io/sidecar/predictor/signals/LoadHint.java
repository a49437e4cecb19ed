package io.sidecar.predictor.signals;

import java.util.Locale;
import java.util.Optional;

/**
 * The load hint a serving sidecar adds to its responses and a calling sidecar's balancer reads:
 * {@code x-sidecar-load: rif=3;p50=12} (requests in flight, median latency of the last 10 s in ms).
 *
 * <p>Parsing is tolerant, like HTTP structured fields' "ignore what you do not understand" (RFC 8941
 * section 4.2): keys are case-insensitive, ';' or ',' separate pairs, whitespace is ignored, unknown keys and
 * unreadable values are skipped. A hint is returned when at least one known field was read; a missing field is
 * -1 (rif) or NaN (p50).
 */
public record LoadHint(long requestsInFlight, double p50Millis) {
    public static final String HEADER = "x-sidecar-load";

    /** Header value, e.g. {@code rif=3;p50=12.5}; p50 is left out while it is unknown. */
    public String encode() {
        StringBuilder b = new StringBuilder(24);
        if (requestsInFlight >= 0) {
            b.append("rif=").append(requestsInFlight);
        }
        if (!Double.isNaN(p50Millis) && p50Millis >= 0) {
            if (b.length() > 0) {
                b.append(';');
            }
            double rounded = Math.round(p50Millis * 10) / 10.0;
            if (rounded == Math.rint(rounded)) {
                b.append("p50=").append((long) rounded);
            } else {
                b.append("p50=").append(String.format(Locale.ROOT, "%.1f", rounded));
            }
        }
        return b.toString();
    }

    public static Optional<LoadHint> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        long rif = -1;
        double p50 = Double.NaN;
        boolean any = false;
        for (String part : header.split("[;,]")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            try {
                if (key.equals("rif")) {
                    double v = Double.parseDouble(value);
                    if (v >= 0 && Double.isFinite(v)) {
                        rif = (long) v;
                        any = true;
                    }
                } else if (key.equals("p50")) {
                    double v = Double.parseDouble(value.endsWith("ms") ? value.substring(0, value.length() - 2)
                            : value);
                    if (v >= 0 && Double.isFinite(v)) {
                        p50 = v;
                        any = true;
                    }
                }
            } catch (NumberFormatException ignored) {
                // tolerant: skip what cannot be read
            }
        }
        return any ? Optional.of(new LoadHint(rif, p50)) : Optional.empty();
    }
}
