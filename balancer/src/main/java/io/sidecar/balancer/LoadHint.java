package io.sidecar.balancer;

import java.util.Locale;

/**
 * Load report an upstream sidecar attaches to its responses in the {@value #HEADER} header, e.g.
 * {@code x-sidecar-load: rif=3;p50=12}: requests in flight on the serving side ({@code rif}) and its recent median
 * latency in milliseconds ({@code p50}). Either part may be absent ({@code rif < 0}, {@code p50 NaN}).
 */
public record LoadHint(int requestsInFlight, double p50Millis) {

    public static final String HEADER = "x-sidecar-load";
    public static final LoadHint NONE = new LoadHint(-1, Double.NaN);

    public boolean hasRequestsInFlight() {
        return requestsInFlight >= 0;
    }

    public boolean hasP50() {
        return !Double.isNaN(p50Millis) && p50Millis >= 0;
    }

    public boolean isEmpty() {
        return !hasRequestsInFlight() && !hasP50();
    }

    /** Parses a header value; malformed parts are ignored, an unusable value gives {@link #NONE}. Never throws. */
    public static LoadHint parseHeader(String value) {
        if (value == null || value.isBlank()) {
            return NONE;
        }
        int rif = -1;
        double p50 = Double.NaN;
        for (String part : value.split("[;,]")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String number = part.substring(eq + 1).trim();
            try {
                if (key.equals("rif")) {
                    long parsed = Long.parseLong(number);
                    rif = parsed < 0 ? -1 : (int) Math.min(parsed, Integer.MAX_VALUE);
                } else if (key.equals("p50")) {
                    double parsed = Double.parseDouble(number);
                    p50 = Double.isFinite(parsed) && parsed >= 0 ? parsed : Double.NaN;
                }
            } catch (NumberFormatException ignored) {
                // a malformed part is dropped, the rest is kept
            }
        }
        return rif < 0 && Double.isNaN(p50) ? NONE : new LoadHint(rif, p50);
    }

    /** The header value the serving side writes. */
    public String toHeader() {
        StringBuilder sb = new StringBuilder();
        if (hasRequestsInFlight()) {
            sb.append("rif=").append(requestsInFlight);
        }
        if (hasP50()) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append("p50=").append(Math.round(p50Millis * 10) / 10.0);
        }
        return sb.toString();
    }
}
