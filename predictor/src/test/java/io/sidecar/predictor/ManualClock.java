package io.sidecar.predictor;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/** A clock tests move by hand ({@code clock.now = clock.now.plusSeconds(60)}). */
public final class ManualClock extends Clock {
    public Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
        return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
