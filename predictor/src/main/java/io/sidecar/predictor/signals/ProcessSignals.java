package io.sidecar.predictor.signals;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.LinkedHashMap;
import java.util.Map;

/** Process CPU (fraction of all cores, 0..1) and heap use, read from the platform MXBeans. */
public record ProcessSignals(double cpu, long heapUsedBytes, long heapMaxBytes, int availableProcessors) {
    public static ProcessSignals read() {
        double cpu = Double.NaN;
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            double load = sun.getProcessCpuLoad();
            cpu = load < 0 ? Double.NaN : load;
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new ProcessSignals(cpu, heap.getUsed(), heap.getMax(), Runtime.getRuntime().availableProcessors());
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", WindowStats.round(cpu));
        m.put("heap_used_bytes", heapUsedBytes);
        m.put("heap_max_bytes", heapMaxBytes);
        m.put("processors", availableProcessors);
        return m;
    }
}
