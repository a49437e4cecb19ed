package io.sidecar.balancer.health;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Envoy's active health checking decisions ({@code source/common/upstream/health_checker_impl.cc},
 * {@code HealthCheckerImplBase::ActiveHealthCheckSession}), without the I/O: the proxy asks which endpoints are due,
 * probes them, and reports each {@link ProbeResult} here.
 *
 * <ul>
 *   <li>Every endpoint starts {@link HealthStatus#PENDING} (Envoy sets FAILED_ACTIVE_HC on hosts of a health-checked
 *       cluster) and is probed at once; its first result decides alone: one pass makes it healthy whatever
 *       {@code healthyThreshold} says ("during startup, only a single successful health check is required").</li>
 *   <li>A healthy endpoint becomes unhealthy after {@code unhealthyThreshold} network failures (timeout, no
 *       connection) in a row, but at once on a response outside {@code expectedStatuses} unless that status is in
 *       {@code retriableStatuses} (then it counts towards the threshold like a network failure).</li>
 *   <li>An unhealthy endpoint becomes healthy after {@code healthyThreshold} passes in a row.</li>
 *   <li>One probe at a time per endpoint; the next is due an interval after the result: {@code interval} after a
 *       pass, {@code unhealthyInterval} after a failure, {@code noTrafficInterval} while the cluster has never carried
 *       a request; plus a random {@code 0..intervalJitter} whole milliseconds. (Envoy's edge intervals default to
 *       these and are not separately configurable here.)</li>
 *   <li>Deliberate deviation: when the first request arrives, checks scheduled with the long no-traffic interval
 *       are brought forward to at most {@code interval} later, instead of waiting out the no-traffic interval.</li>
 * </ul>
 * Not thread-safe: the cluster serialises access.
 */
public final class ActiveHealthChecker {

    /** A probe not answered within this many timeouts (plus a second) is taken as lost and started again. */
    private static final int LOST_PROBE_TIMEOUTS = 2;
    private static final long LOST_PROBE_SLACK_NANOS = 1_000_000_000L;

    private static final class HostCheck {
        HealthStatus status = HealthStatus.PENDING;
        int numHealthy;
        int numUnhealthy;
        int consecutiveFailures;
        int consecutivePasses;
        String lastResult;
        long dueNanos;
        boolean inFlight;
        long startedNanos;
        boolean scheduledWithoutTraffic;

        HostCheck(long dueNanos) {
            this.dueNanos = dueNanos;
        }
    }

    /** What one result did. */
    public enum Transition { UNCHANGED, BECAME_HEALTHY, BECAME_UNHEALTHY, IGNORED }

    private final RandomGenerator random;
    private final Map<String, HostCheck> hosts = new LinkedHashMap<>();
    private HealthCheckConfig config;
    private boolean trafficSeen;

    private long version;

    public ActiveHealthChecker(HealthCheckConfig config, RandomGenerator random) {
        this.config = config;
        this.random = random;
    }

    public HealthCheckConfig config() {
        return config;
    }

    /**
     * New settings; endpoint states and schedules stay: the next results apply the new thresholds and the next
     * scheduling the new intervals. Probes in flight still count when they are reported.
     */
    public void reconfigure(HealthCheckConfig next) {
        this.config = next;
    }

    /**
     * Changes whenever {@link #isHealthy} may answer differently for some endpoint, so a caller can keep what it
     * derived from those answers until then.
     */
    public long version() {
        return version;
    }

    /** Replaces the endpoint set; addresses that stay keep their state, new ones are pending and due now. */
    public void setHosts(Collection<String> addresses, long nowNanos) {
        version++;
        Map<String, HostCheck> old = new LinkedHashMap<>(hosts);
        hosts.clear();
        for (String a : addresses) {
            HostCheck h = old.get(a);
            hosts.put(a, h != null ? h : new HostCheck(nowNanos));
        }
    }

    /** The cluster carried a request: from now on the regular intervals apply. */
    public void onTraffic(long nowNanos) {
        if (trafficSeen) {
            return;
        }
        trafficSeen = true;
        long latest = nowNanos + config.interval().toNanos();
        for (HostCheck h : hosts.values()) {
            if (h.scheduledWithoutTraffic && h.dueNanos > latest) {
                h.dueNanos = latest;
            }
            h.scheduledWithoutTraffic = false;
        }
    }

    /** Endpoints whose probe is due now; each is marked in flight until its result is reported. */
    public List<String> startDueChecks(long nowNanos) {
        List<String> due = new ArrayList<>();
        long lostAfter = LOST_PROBE_TIMEOUTS * config.timeout().toNanos() + LOST_PROBE_SLACK_NANOS;
        for (Map.Entry<String, HostCheck> e : hosts.entrySet()) {
            HostCheck h = e.getValue();
            boolean lost = h.inFlight && nowNanos - h.startedNanos >= lostAfter;
            if ((!h.inFlight && nowNanos >= h.dueNanos) || lost) {
                h.inFlight = true;
                h.startedNanos = nowNanos;
                due.add(e.getKey());
            }
        }
        return due;
    }

    /** When the earliest endpoint not in flight is due; Long.MAX_VALUE when none. */
    public long nextDueNanos() {
        long next = Long.MAX_VALUE;
        for (HostCheck h : hosts.values()) {
            if (!h.inFlight) {
                next = Math.min(next, h.dueNanos);
            }
        }
        return next;
    }

    /**
     * Applies one probe's result and schedules the endpoint's next probe. Results for unknown endpoints, or for
     * endpoints with no probe in flight, are ignored ({@link Transition#IGNORED}).
     */
    public Transition onResult(String address, ProbeResult result, long nowNanos) {
        HostCheck h = hosts.get(address);
        if (h == null || !h.inFlight) {
            return Transition.IGNORED;
        }
        h.inFlight = false;
        h.lastResult = result.describe();
        boolean passed = !result.isNetworkFailure() && config.passes(result.status());
        Transition t = passed ? pass(h) : fail(h, result);
        long base = (passed ? config.interval() : config.unhealthyInterval()).toNanos();
        h.scheduledWithoutTraffic = !trafficSeen;
        if (!trafficSeen) {
            base = config.noTrafficInterval().toNanos();
        }
        h.dueNanos = nowNanos + base + jitterNanos();
        return t;
    }

    // Envoy handleSuccess: the first check of a host decides alone; afterwards healthyThreshold passes in a row.
    private Transition pass(HostCheck h) {
        h.numUnhealthy = 0;
        h.consecutiveFailures = 0;
        h.consecutivePasses++;
        if (h.status == HealthStatus.HEALTHY) {
            return Transition.UNCHANGED;
        }
        boolean first = h.status == HealthStatus.PENDING;
        if (first || ++h.numHealthy >= config.healthyThreshold()) {
            h.status = HealthStatus.HEALTHY;
            version++;
            h.numHealthy = 0;
            return Transition.BECAME_HEALTHY;
        }
        return Transition.UNCHANGED;
    }

    // Envoy setUnhealthy: network failures (and retriable statuses) count towards unhealthyThreshold; any other
    // unexpected status marks the host unhealthy at once. A pending host that fails is unhealthy.
    private Transition fail(HostCheck h, ProbeResult result) {
        h.numHealthy = 0;
        h.consecutivePasses = 0;
        h.consecutiveFailures++;
        if (h.status == HealthStatus.UNHEALTHY) {
            return Transition.UNCHANGED;
        }
        boolean counts = result.isNetworkFailure() || config.retriable(result.status());
        if (h.status == HealthStatus.PENDING || !counts || ++h.numUnhealthy >= config.unhealthyThreshold()) {
            h.status = HealthStatus.UNHEALTHY;
            version++;
            h.numUnhealthy = 0;
            return Transition.BECAME_UNHEALTHY;
        }
        return Transition.UNCHANGED;
    }

    // Envoy intervalWithJitter: random % interval_jitter, in milliseconds.
    private long jitterNanos() {
        long jitterMs = config.intervalJitter().toMillis();
        if (jitterMs <= 0) {
            return 0;
        }
        return random.nextInt((int) Math.min(jitterMs, Integer.MAX_VALUE)) * 1_000_000L;
    }

    /** Routed to: only endpoints that passed (a pending or unhealthy one is not, outside panic). */
    public boolean isHealthy(String address) {
        HostCheck h = hosts.get(address);
        return h != null && h.status == HealthStatus.HEALTHY;
    }

    public EndpointHealth status(String address) {
        HostCheck h = hosts.get(address);
        if (h == null) {
            return null;
        }
        return new EndpointHealth(h.status, h.consecutiveFailures, h.consecutivePasses, h.lastResult, h.dueNanos);
    }

    /** Why an endpoint is not routed to, null when it is healthy. */
    public String explanation(String address) {
        EndpointHealth e = status(address);
        if (e == null || e.status() == HealthStatus.HEALTHY) {
            return null;
        }
        if (e.status() == HealthStatus.PENDING) {
            return "active health check pending";
        }
        if (e.consecutivePasses() > 0) {
            return "failed active health check, recovering: " + e.consecutivePasses() + " of "
                    + config.healthyThreshold() + " passes (last: " + e.lastResult() + ")";
        }
        return "failed active health check: " + e.consecutiveFailures() + " consecutive failure"
                + (e.consecutiveFailures() == 1 ? "" : "s") + " (last: " + e.lastResult() + ")";
    }
}
