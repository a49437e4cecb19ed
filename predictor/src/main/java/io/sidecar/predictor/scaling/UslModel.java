package io.sidecar.predictor.scaling;

/**
 * Universal Scalability Law (Gunther 1993; "Guerrilla Capacity Planning", 2007, chapter 4):
 * <pre>
 *   X(N) = lambda * N / (1 + sigma * (N - 1) + kappa * N * (N - 1))
 * </pre>
 * throughput X at concurrency N, with lambda the single-request throughput, sigma contention and kappa
 * coherency (crosstalk). Throughput peaks at N* = sqrt((1 - sigma) / kappa) when kappa > 0.
 */
public record UslModel(double lambda, double sigma, double kappa) {
    public double throughput(double n) {
        return lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
    }

    /** Concurrency of peak throughput; infinity when kappa is 0 (throughput then approaches lambda / sigma). */
    public double peakConcurrency() {
        if (kappa <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(Math.max(0, 1 - sigma) / kappa);
    }

    /**
     * The most throughput one instance delivers: X(N*), or the asymptote lambda / sigma without coherency
     * cost, capped at {@code maxConcurrency} when given (> 0) because N beyond what was observed is
     * extrapolation.
     */
    public double capacity(double maxConcurrency) {
        double n = peakConcurrency();
        if (maxConcurrency > 0) {
            n = Math.min(n, maxConcurrency);
        }
        if (Double.isInfinite(n)) {
            return sigma > 0 ? lambda / sigma : Double.POSITIVE_INFINITY;
        }
        return throughput(Math.max(1, n));
    }

    /** Response time by Little's law, R = N / X(N) (seconds when X is per second). */
    public double responseTime(double n) {
        return n / throughput(n);
    }
}
