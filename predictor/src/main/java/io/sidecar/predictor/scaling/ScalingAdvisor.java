package io.sidecar.predictor.scaling;

import io.sidecar.predictor.forecast.Forecast;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Replica advice: replicas = ceil(forecast peak over the horizon / (capacity per instance * target utilisation)),
 * clamped to [min, max] (the proportional rule of the Kubernetes HPA, desired = ceil(current * metric / target),
 * applied to the forecast instead of the current load).
 *
 * <p>Against flapping, as the HPA's scale-down stabilisation window does (Kubernetes docs, "Horizontal Pod
 * Autoscaling", stabilization window: the highest recommendation of the window is used): a scale-up is taken at
 * once; a scale-down goes to the highest count advised during the last {@code cooldown}, only once the cooldown
 * since the last change has passed, and counts for a scale-down are computed at
 * {@code targetUtilization - hysteresis}: a scale-down must leave that much headroom, so load hovering at a
 * boundary does not flap (a count reached by scaling down is never immediately too small).
 *
 * <p>Thread-safe (synchronized); called once a minute.
 */
public final class ScalingAdvisor {
    private final ScalingConfig config;
    private final Clock clock;
    private int current;
    private Instant lastChange = Instant.MIN;
    private volatile ScalingAdvice last;
    private final java.util.ArrayDeque<Instant> windowTimes = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<Integer> windowCounts = new java.util.ArrayDeque<>();

    public ScalingAdvisor(ScalingConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.current = config.minReplicas();
    }

    /** The largest point forecast in the list (the forecast peak over the horizon), NaN when empty. */
    public static double peak(List<Forecast> forecasts) {
        double peak = Double.NaN;
        for (Forecast f : forecasts) {
            if (Double.isNaN(peak) || f.point() > peak) {
                peak = f.point();
            }
        }
        return peak;
    }

    /**
     * @param forecastPeak the service-wide request rate expected at the peak of the horizon (req/s)
     * @param capacity one instance's capacity, or null when unknown (the advice then holds)
     */
    public synchronized ScalingAdvice advise(double forecastPeak, CapacityEstimate capacity) {
        Instant now = clock.instant();
        int previous = current;
        if (capacity == null || !(capacity.requestsPerSecond() > 0) || Double.isNaN(forecastPeak)) {
            String why = capacity == null ? "capacity unknown (not enough distinct load levels observed yet)"
                    : "no forecast yet";
            last = new ScalingAdvice(now, current, current, previous, forecastPeak,
                    capacity == null ? Double.NaN : capacity.requestsPerSecond(),
                    capacity == null ? "none" : capacity.method(), config.targetUtilization(),
                    capacity == null ? null : capacity.usl(), "hold: " + why);
            return last;
        }
        double cap = capacity.requestsPerSecond();
        double load = Math.max(0, forecastPeak);
        int raw = (int) Math.ceil(load / (cap * config.targetUtilization()));
        int up = clamp(raw);
        double looseUtil = Math.max(0.01, config.targetUtilization() - config.hysteresis());
        int down = stabilised(now, clamp((int) Math.ceil(load / (cap * looseUtil))));
        String reason;
        if (up > current) {
            reason = String.format(Locale.ROOT, "scale up: peak %.1f req/s needs %d x %.1f req/s at %.0f%%", load,
                    up, cap, 100 * config.targetUtilization());
            current = up;
            lastChange = now;
        } else if (down < current) {
            Duration since = lastChange.equals(Instant.MIN) ? Duration.ofDays(365) : Duration.between(lastChange,
                    now);
            if (since.compareTo(config.cooldown()) >= 0) {
                reason = String.format(Locale.ROOT,
                        "scale down: peak %.1f req/s fits %d x %.1f req/s at %.0f%% (target - hysteresis)", load,
                        down, cap, 100 * looseUtil);
                current = down;
                lastChange = now;
            } else {
                reason = String.format(Locale.ROOT, "hold: scale-down to %d waits for cooldown (%ds left)", down,
                        config.cooldown().minus(since).toSeconds());
            }
        } else {
            reason = String.format(Locale.ROOT, "hold: %d replicas serve peak %.1f req/s between %.0f%% and %.0f%%",
                    current, load, 100 * looseUtil, 100 * config.targetUtilization());
        }
        last = new ScalingAdvice(now, current, raw, previous, load, cap, capacity.method(),
                config.targetUtilization(), capacity.usl(), reason);
        return last;
    }

    /** The highest scale-down count advised within the last cooldown, this one included. */
    private int stabilised(Instant now, int down) {
        windowTimes.addLast(now);
        windowCounts.addLast(down);
        Instant horizon = now.minus(config.cooldown());
        while (windowTimes.size() > 1 && !windowTimes.peekFirst().isAfter(horizon)) {
            windowTimes.removeFirst();
            windowCounts.removeFirst();
        }
        int max = down;
        for (int c : windowCounts) {
            max = Math.max(max, c);
        }
        return max;
    }

    private int clamp(int n) {
        return Math.max(config.minReplicas(), Math.min(config.maxReplicas(), n));
    }

    /** The advice last given, or null before the first. */
    public ScalingAdvice last() {
        return last;
    }

    /** For the {@code ..._recommended_replicas} gauge. */
    public synchronized int recommendedReplicas() {
        return current;
    }
}
