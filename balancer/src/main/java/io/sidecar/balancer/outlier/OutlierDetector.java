package io.sidecar.balancer.outlier;

import io.sidecar.balancer.Outcome;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Passive health checking as Envoy's outlier detection ({@code source/common/upstream/outlier_detection_impl.cc},
 * docs "Outlier detection"):
 *
 * <ul>
 *   <li><b>Consecutive 5xx</b>: {@code consecutive5xx} 5xx (or local-origin errors) in a row eject immediately, with
 *       probability {@code enforcingConsecutive5xx} %. Any non-5xx result resets the run.</li>
 *   <li><b>Consecutive gateway failure</b>: same with 502/503/504/local-origin errors (enforcing 0 % by default).</li>
 *   <li><b>Success rate</b>, at every interval: among hosts with at least {@code successRateRequestVolume} requests in
 *       the interval, if there are at least {@code successRateMinimumHosts}, eject those whose success rate is below
 *       {@code mean - successRateStdevFactor · stdev} (population stdev).</li>
 *   <li><b>Failure percentage</b>, at every interval: among hosts with at least
 *       {@code failurePercentageRequestVolume} requests in the interval, if there are at least
 *       {@code failurePercentageMinimumHosts}, eject those whose failure percentage is {@code >=
 *       failurePercentageThreshold}, with probability {@code enforcingFailurePercentage} % (0 by default, as Envoy).
 *       Hosts already ejected take part in neither interval detector.</li>
 *   <li><b>Ejection time</b> = {@code base · multiplier}, capped at {@code max(base, maxEjectionTime)}; the multiplier
 *       grows by one per ejection (while {@code multiplier · base < max + base}) and shrinks by one at each interval
 *       the host spends healthy, a base ejection time after its last unejection. Unejection happens at the interval
 *       check once the ejection time has passed.</li>
 *   <li><b>Max ejection percent</b>: no ejection when {@code 100 · (ejected + 1) / hosts > maxEjectionPercent},
 *       except that one host may always be ejected.</li>
 * </ul>
 * The interval is driven by the caller ({@link #evaluate}). Not thread-safe: the cluster serialises access.
 */
public final class OutlierDetector {

    private static final class HostMonitor {
        int consecutive5xx;
        int consecutiveGateway;
        long intervalSuccess;
        long intervalTotal;
        boolean ejected;
        EjectionReason reason;
        int multiplier;
        long ejectedAtNanos;
        long lastUnejectedAtNanos = Long.MIN_VALUE;
        double lastSuccessRate = Double.NaN;
    }

    private final OutlierDetectionConfig config;
    private final RandomGenerator random;
    private final long baseNanos;
    private final long maxNanos;
    private final long intervalNanos;
    private final Map<String, HostMonitor> hosts = new LinkedHashMap<>();
    private long nextEvaluationNanos;

    private long version;

    public OutlierDetector(OutlierDetectionConfig config, RandomGenerator random, long nowNanos) {
        this.config = config;
        this.random = random;
        this.baseNanos = config.baseEjectionTime().toNanos();
        this.maxNanos = config.maxEjectionTime().toNanos();
        this.intervalNanos = config.interval().toNanos();
        this.nextEvaluationNanos = nowNanos + intervalNanos;
    }

    public OutlierDetectionConfig config() {
        return config;
    }

    /**
     * Changes whenever {@link #isEjected} may answer differently for some host, so a caller can keep what it derived
     * from those answers until then.
     */
    public long version() {
        return version;
    }

    /** Replaces the host set; hosts whose address stays keep their state. */
    public void setHosts(Collection<String> addresses) {
        version++;
        Map<String, HostMonitor> old = new LinkedHashMap<>(hosts);
        hosts.clear();
        for (String a : addresses) {
            hosts.put(a, old.getOrDefault(a, new HostMonitor()));
        }
    }

    public boolean isEjected(String address) {
        HostMonitor m = hosts.get(address);
        return m != null && m.ejected;
    }

    public int ejectedCount() {
        int n = 0;
        for (HostMonitor m : hosts.values()) {
            if (m.ejected) {
                n++;
            }
        }
        return n;
    }

    public EjectionStatus status(String address) {
        HostMonitor m = hosts.get(address);
        if (m == null) {
            return new EjectionStatus(false, null, 0, 0, 0, 0, Double.NaN);
        }
        return new EjectionStatus(m.ejected, m.reason, m.multiplier, m.ejected ? ejectionTime(m) : 0,
                m.ejectedAtNanos, m.consecutive5xx, m.lastSuccessRate);
    }

    /**
     * Records one result; returns the reason if this result ejected the host, else null. Cancelled outcomes are
     * ignored.
     */
    public EjectionReason onResult(String address, Outcome outcome, long nowNanos) {
        HostMonitor m = hosts.get(address);
        if (m == null || !config.enabled() || outcome.isCancelled()) {
            return null;
        }
        m.intervalTotal++;
        if (!outcome.isFailure()) {
            m.intervalSuccess++;
        }
        if (outcome.is5xxForOutlier()) {
            m.consecutive5xx++;
        } else {
            m.consecutive5xx = 0;
        }
        if (outcome.isGatewayFailure()) {
            m.consecutiveGateway++;
        } else {
            m.consecutiveGateway = 0;
        }
        if (m.consecutive5xx >= config.consecutive5xx()) {
            m.consecutive5xx = 0;
            if (enforce(config.enforcingConsecutive5xx()) && eject(m, EjectionReason.CONSECUTIVE_5XX, nowNanos)) {
                return EjectionReason.CONSECUTIVE_5XX;
            }
        }
        if (m.consecutiveGateway >= config.consecutiveGatewayFailure()) {
            m.consecutiveGateway = 0;
            if (enforce(config.enforcingConsecutiveGatewayFailure())
                    && eject(m, EjectionReason.CONSECUTIVE_GATEWAY_FAILURE, nowNanos)) {
                return EjectionReason.CONSECUTIVE_GATEWAY_FAILURE;
            }
        }
        return null;
    }

    private boolean enforce(int percent) {
        return percent >= 100 || (percent > 0 && random.nextInt(100) < percent);
    }

    private boolean eject(HostMonitor m, EjectionReason reason, long nowNanos) {
        if (m.ejected) {
            return false;
        }
        int active = ejectedCount();
        double ejectedPercent = 100.0 * (active + 1) / hosts.size();
        if (ejectedPercent > config.maxEjectionPercent() && active > 0) {
            return false;
        }
        if ((long) m.multiplier * baseNanos < maxNanos + baseNanos) {
            m.multiplier++;
        }
        m.ejected = true;
        version++;
        m.reason = reason;
        m.ejectedAtNanos = nowNanos;
        m.consecutive5xx = 0;
        m.consecutiveGateway = 0;
        return true;
    }

    private long ejectionTime(HostMonitor m) {
        return Math.min(baseNanos * m.multiplier, Math.max(baseNanos, maxNanos));
    }

    /** True when an interval has passed since the last evaluation. */
    public boolean evaluationDue(long nowNanos) {
        return nowNanos >= nextEvaluationNanos;
    }

    /**
     * Unejects a host at once (Envoy's {@code successful_active_health_check_uneject_host}: a host ejected by outlier
     * detection that passes its active health check is returned to service). Returns true if it was ejected.
     */
    public boolean uneject(String address, long nowNanos) {
        HostMonitor m = hosts.get(address);
        if (m == null || !m.ejected) {
            return false;
        }
        m.ejected = false;
        version++;
        m.lastUnejectedAtNanos = nowNanos;
        return true;
    }

    /**
     * The interval check: uneject expired hosts, decay multipliers, run success-rate and failure-percentage ejection,
     * reset counters.
     */
    public void evaluate(long nowNanos) {
        nextEvaluationNanos = nowNanos + intervalNanos;
        for (HostMonitor m : hosts.values()) {
            if (!m.ejected) {
                if (m.multiplier > 0 && m.lastUnejectedAtNanos != Long.MIN_VALUE
                        && nowNanos - m.lastUnejectedAtNanos >= baseNanos) {
                    m.multiplier--;
                }
            } else if (nowNanos - m.ejectedAtNanos >= ejectionTime(m)) {
                m.ejected = false;
                version++;
                m.lastUnejectedAtNanos = nowNanos;
            }
        }
        if (config.enabled()) {
            intervalEjections(nowNanos);
        }
        for (HostMonitor m : hosts.values()) {
            m.intervalSuccess = 0;
            m.intervalTotal = 0;
        }
    }

    /**
     * Envoy's {@code processSuccessRateEjections}: hosts already ejected take no part; a host's success rate counts
     * for success-rate ejection with at least {@code successRateRequestVolume} requests in the interval and for
     * failure-percentage ejection with at least {@code failurePercentageRequestVolume}; each detector runs only when
     * it has its minimum number of such hosts.
     */
    private void intervalEjections(long nowNanos) {
        List<HostMonitor> forSuccessRate = new ArrayList<>();
        List<HostMonitor> forFailurePercentage = new ArrayList<>();
        long minVolume = Math.min(config.successRateRequestVolume(), config.failurePercentageRequestVolume());
        for (HostMonitor m : hosts.values()) {
            m.lastSuccessRate = m.intervalTotal >= minVolume && m.intervalTotal > 0
                    ? 100.0 * m.intervalSuccess / m.intervalTotal : Double.NaN;
            if (m.ejected) {
                continue;
            }
            if (m.intervalTotal >= config.successRateRequestVolume()) {
                forSuccessRate.add(m);
            }
            if (m.intervalTotal >= config.failurePercentageRequestVolume()) {
                forFailurePercentage.add(m);
            }
        }
        if (!forSuccessRate.isEmpty() && forSuccessRate.size() >= config.successRateMinimumHosts()) {
            double[] rates = new double[forSuccessRate.size()];
            for (int i = 0; i < rates.length; i++) {
                rates[i] = forSuccessRate.get(i).lastSuccessRate;
            }
            double threshold = successRateThreshold(rates, config.successRateStdevFactor());
            for (HostMonitor m : forSuccessRate) {
                if (m.lastSuccessRate < threshold && enforce(config.enforcingSuccessRate())) {
                    eject(m, EjectionReason.SUCCESS_RATE, nowNanos);
                }
            }
        }
        if (!forFailurePercentage.isEmpty() && forFailurePercentage.size() >= config.failurePercentageMinimumHosts()) {
            for (HostMonitor m : forFailurePercentage) {
                // Envoy compares with >=: a host exactly at the threshold is ejected.
                if (!m.ejected && 100.0 - m.lastSuccessRate >= config.failurePercentageThreshold()
                        && enforce(config.enforcingFailurePercentage())) {
                    eject(m, EjectionReason.FAILURE_PERCENTAGE, nowNanos);
                }
            }
        }
    }

    /** The success-rate ejection threshold for given rates (exposed for tests and explanation). */
    public static double successRateThreshold(double[] rates, double stdevFactor) {
        double mean = 0;
        for (double r : rates) {
            mean += r;
        }
        mean /= rates.length;
        double var = 0;
        for (double r : rates) {
            var += (r - mean) * (r - mean);
        }
        return mean - stdevFactor * Math.sqrt(var / rates.length);
    }
}
