package io.sidecar.predictor.scaling;

import java.util.List;
import java.util.Optional;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.fitting.leastsquares.MultivariateJacobianFunction;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.util.Pair;

/**
 * Fits {@link UslModel} to observed (concurrency, throughput) pairs by non-linear least squares
 * (Levenberg-Marquardt, commons-math3), the method of Gunther's "Guerrilla Capacity Planning" section 5.5 done
 * directly on X(N) rather than on the linearised efficiency. Parameters are kept non-negative.
 */
public final class UslFitter {
    /** Distinct concurrency levels needed for three parameters. */
    public static final int MIN_LEVELS = 3;

    private UslFitter() {
    }

    /** One observation: average concurrency (in-flight) and throughput (requests per second) over a period. */
    public record Observation(double concurrency, double throughput) {
    }

    public static Optional<UslModel> fit(List<Observation> observations) {
        List<Observation> usable = observations.stream()
                .filter(o -> o.concurrency() > 0 && o.throughput() > 0 && Double.isFinite(o.concurrency())
                        && Double.isFinite(o.throughput()))
                .toList();
        long levels = usable.stream().mapToLong(o -> Math.round(o.concurrency() * 10)).distinct().count();
        if (levels < MIN_LEVELS) {
            return Optional.empty();
        }
        double[] n = usable.stream().mapToDouble(Observation::concurrency).toArray();
        double[] x = usable.stream().mapToDouble(Observation::throughput).toArray();
        // start: lambda from the lowest-concurrency point's throughput per unit of concurrency
        int low = 0;
        for (int i = 1; i < n.length; i++) {
            if (n[i] < n[low]) {
                low = i;
            }
        }
        double lambda0 = x[low] / n[low];
        MultivariateJacobianFunction model = point -> {
            double l = Math.max(0, point.getEntry(0));
            double s = Math.max(0, point.getEntry(1));
            double k = Math.max(0, point.getEntry(2));
            RealVector value = new ArrayRealVector(n.length);
            RealMatrix jacobian = new Array2DRowRealMatrix(n.length, 3);
            for (int i = 0; i < n.length; i++) {
                double ni = n[i];
                double d = 1 + s * (ni - 1) + k * ni * (ni - 1);
                value.setEntry(i, l * ni / d);
                jacobian.setEntry(i, 0, ni / d);
                jacobian.setEntry(i, 1, -l * ni * (ni - 1) / (d * d));
                jacobian.setEntry(i, 2, -l * ni * ni * (ni - 1) / (d * d));
            }
            return new Pair<>(value, jacobian);
        };
        try {
            LeastSquaresOptimizer.Optimum optimum = new LevenbergMarquardtOptimizer().optimize(
                    new LeastSquaresBuilder()
                            .start(new double[] {lambda0, 0.01, 0.0001})
                            .model(model)
                            .target(x)
                            .parameterValidator(p -> {
                                for (int i = 0; i < 3; i++) {
                                    p.setEntry(i, Math.max(i == 0 ? 1e-12 : 0, p.getEntry(i)));
                                }
                                return p;
                            })
                            .maxEvaluations(1_000)
                            .maxIterations(1_000)
                            .build());
            RealVector p = optimum.getPoint();
            UslModel fitted = new UslModel(p.getEntry(0), Math.max(0, p.getEntry(1)), Math.max(0, p.getEntry(2)));
            if (!Double.isFinite(fitted.lambda()) || fitted.lambda() <= 0) {
                return Optional.empty();
            }
            return Optional.of(fitted);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
