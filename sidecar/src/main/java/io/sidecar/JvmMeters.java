package io.sidecar;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The JVM and process meters ({@code jvm_*}, {@code process_*}, {@code system_cpu_*}): the set Vert.x binds with
 * {@code setJvmMetricsEnabled(true)}, bound by us once the listeners serve instead. Binding them first reads
 * every JMX bean they cover, about 50 ms of start-up on a 2-core host, in front of the first request; bound on a
 * worker thread after start, they appear on {@code /metrics} a moment later and the listeners do not wait.
 */
final class JvmMeters implements AutoCloseable {
  private final List<MeterBinder> binders = List.of(new ClassLoaderMetrics(), new JvmCompilationMetrics(),
      new JvmGcMetrics(), new JvmHeapPressureMetrics(), new JvmInfoMetrics(), new JvmMemoryMetrics(),
      new JvmThreadMetrics(), new ProcessorMetrics(), new UptimeMetrics());

  private JvmMeters() {}

  /** Binds the meters to {@code registry} on a worker thread; the future completes when they are registered. */
  static Future<JvmMeters> bindInBackground(Vertx vertx, MeterRegistry registry) {
    return vertx.executeBlocking(() -> {
      JvmMeters meters = new JvmMeters();
      meters.binders.forEach(binder -> binder.bindTo(registry));
      return meters;
    }, false);
  }

  /** Removes the GC and heap-pressure listeners the JVM holds for two of them. */
  @Override
  public void close() {
    for (MeterBinder binder : binders) {
      if (binder instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          // nothing left to do at shutdown
        }
      }
    }
  }
}
