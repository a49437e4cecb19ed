package io.sidecar.predictor.signals;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * The signals of one route, cluster or endpoint. The proxy looks the handle up once (per route / cluster /
 * endpoint, at config time) and on every request calls {@link #begin()} when it is sent and
 * {@link #record(long, int, String, long)} when it completes.
 *
 * <p>Hot path cost: {@link StripedCounters} adds and one {@link StripedLatencies} record, all in the calling
 * thread's stripe (looked up once per call): no atomic instruction, no cache line shared between the event loops, no
 * allocation. A response flag is counted in a {@link ConcurrentHashMap} whose {@code computeIfAbsent} allocates only
 * the first time a flag is seen.
 *
 * <p>Windows: {@link #tick(Instant)} (once a second, one timer thread) takes the second's latencies into a ring of
 * ten 1-second windows; every ten ticks they are merged into a ring of six 10-second blocks. Windows keep only their
 * non-empty buckets ({@link SparseCounts}). One full histogram per instance remains, the current second's; windows are
 * merged for a percentile into a scratch histogram of the calling thread's.
 * The 1 s window is the last second, the 10 s window the last ten seconds, the 1 min window the last six
 * completed 10-second blocks. Latency is recorded in microseconds with 2 significant digits (HdrHistogram value
 * error under 1 %), up to {@link #MAX_LATENCY_MICROS}; larger values count at the maximum.
 */
public final class TrafficSignals {
    public static final long MAX_LATENCY_MICROS = 600_000_000L;
    private static final int SIGNIFICANT_DIGITS = 2;
    private static final int SECONDS = 10;
    private static final int BLOCKS = 6;
    /** Ticks per minute roll-up. */
    private static final int MINUTE = 60;
    /** Per-tick counter slots kept: a minute plus a partial 10-second block (the 1 min window reaches back so far). */
    private static final int SLOTS = MINUTE + SECONDS;
    private static final String[] CLASS_NAMES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private final String kind;
    private final String name;
    private final StripedLatencies latencies = new StripedLatencies(newHistogram());
    // Counters in `counters`. CLASSES + i: completed requests of status class CLASS_NAMES[i] ("none" for no
    // response); the request and error counts are sums of these.
    private static final int IN_FLIGHT = 0;
    private static final int BYTES = 1;
    private static final int CACHE_HITS = 2;
    private static final int CACHE_MISSES = 3;
    private static final int CLASSES = 4;
    private final StripedCounters counters = new StripedCounters(CLASSES + CLASS_NAMES.length);
    private final ConcurrentHashMap<String, LongAdder> flags = new ConcurrentHashMap<>();

    // tick-side state, guarded by this
    // There is a TrafficSignals per route, cluster and endpoint. With sixteen full window histograms one took 273 KiB
    // of heap at 2 000 values a second (int counts; 454 KiB with long counts); the sparse windows take a fraction of
    // that, and nothing for an idle endpoint (SignalsFootprint, predictor/README.md).
    private final SparseCounts[] seconds = new SparseCounts[SECONDS];
    private final SparseCounts[] blocks = new SparseCounts[BLOCKS];
    /**
     * Where {@link #tick} and {@link #snapshot} merge windows, one per thread rather than per instance (a full
     * histogram is 11.5 KiB). Counts in ints: a bucket would need 2^31 values in one minute to overflow.
     */
    private static final ThreadLocal<AbstractHistogram> SCRATCH = ThreadLocal.withInitial(TrafficSignals::newHistogram);
    private final long[][] deltas = new long[5][SLOTS]; // requests, errors, bytes, hits, misses per tick
    private final long[] lastTotals = new long[5];
    private long ticks;
    private int filledBlocks;
    private long minuteMaxInFlight;
    private long minuteInFlightSum;
    private volatile double p50Last10sMs = Double.NaN;

    TrafficSignals(String kind, String name) {
        this.kind = kind;
        this.name = name;
        Arrays.fill(seconds, SparseCounts.EMPTY);
        Arrays.fill(blocks, SparseCounts.EMPTY);
    }

    private static AbstractHistogram newHistogram() {
        return new IntCountsHistogram(1, MAX_LATENCY_MICROS, SIGNIFICANT_DIGITS);
    }

    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    /** A request was sent: in-flight + 1. Pair every call with one {@link #record}. */
    public void begin() {
        counters.increment(IN_FLIGHT);
    }

    /**
     * A request completed (in-flight - 1).
     *
     * @param latencyNanos time from {@link #begin()} to the end of the response (or the failure)
     * @param status HTTP status, 0 when no response was received (connect failure, reset, timeout)
     * @param flag the response flag (Envoy-style, e.g. "UF", "UT", "UO"), null or "-" for none
     * @param responseBytes body bytes sent back downstream
     */
    public void record(long latencyNanos, int status, String flag, long responseBytes) {
        int stripe = ThreadStripes.current();
        counters.add(stripe, IN_FLIGHT, -1);
        latencies.record(stripe, (int) Math.max(1, Math.min(MAX_LATENCY_MICROS, latencyNanos / 1_000)));
        int cls = status >= 100 && status < 600 ? status / 100 : 0;
        counters.add(stripe, CLASSES + cls, 1);
        if (responseBytes > 0) {
            counters.add(stripe, BYTES, responseBytes);
        }
        if (flag != null && !flag.isEmpty() && !"-".equals(flag)) {
            flags.computeIfAbsent(flag, f -> new LongAdder()).increment();
        }
    }

    private long requests() {
        long total = 0;
        for (int i = 0; i < CLASS_NAMES.length; i++) {
            total += counters.sum(CLASSES + i);
        }
        return total;
    }

    /** Requests without a response or with a 5xx. */
    private long errors() {
        return counters.sum(CLASSES) + counters.sum(CLASSES + 5);
    }

    /** A request ended without a known outcome (abandoned: a hedge that lost, a client gone): in-flight - 1 only. */
    public void abandon() {
        counters.add(IN_FLIGHT, -1);
    }

    /** A cache lookup on this route: hit or miss. */
    public void cacheLookup(boolean hit) {
        counters.increment(hit ? CACHE_HITS : CACHE_MISSES);
    }

    public long inFlight() {
        return Math.max(0, counters.sum(IN_FLIGHT));
    }

    /** Median latency of the last 10 s in milliseconds, as of the last tick (NaN when idle). */
    public double p50Last10sMs() {
        return p50Last10sMs;
    }

    /** The load hint this instance would send for this traffic now. */
    public LoadHint loadHint() {
        return new LoadHint(inFlight(), p50Last10sMs);
    }

    /**
     * Advances the windows by one second. Returns the minute roll-up every 60th tick, otherwise null.
     */
    synchronized MinuteRollup tick(Instant now) {
        int sec = (int) (ticks % SECONDS);
        AbstractHistogram scratch = SCRATCH.get();
        seconds[sec] = latencies.drain();
        long[] totals = {requests(), errors(), counters.sum(BYTES), counters.sum(CACHE_HITS), counters.sum(CACHE_MISSES)};
        int slot = (int) (ticks % SLOTS);
        for (int i = 0; i < totals.length; i++) {
            deltas[i][slot] = totals[i] - lastTotals[i];
            lastTotals[i] = totals[i];
        }
        long rif = inFlight();
        minuteMaxInFlight = Math.max(minuteMaxInFlight, rif);
        minuteInFlightSum += rif;
        ticks++;
        merge(scratch, seconds, (int) Math.min(ticks, SECONDS));
        p50Last10sMs = scratch.getTotalCount() == 0 ? Double.NaN
                : scratch.getValueAtPercentile(50) / 1000.0;
        if (ticks % SECONDS == 0) {
            // the scratch holds the ten seconds just merged: they are the block
            blocks[(int) ((ticks / SECONDS - 1) % BLOCKS)] = SparseCounts.of(scratch);
            filledBlocks = Math.min(BLOCKS, filledBlocks + 1);
        }
        if (ticks % MINUTE == 0) {
            merge(scratch, blocks, filledBlocks);
            long req = sum(0, MINUTE);
            long err = sum(1, MINUTE);
            long hits = sum(3, MINUTE);
            long misses = sum(4, MINUTE);
            MinuteRollup r = new MinuteRollup(kind, name, now.minusSeconds(MINUTE), req, req / (double) MINUTE, err,
                    req == 0 ? 0 : err / (double) req, percentileMs(scratch, 50), percentileMs(scratch, 99),
                    minuteInFlightSum / (double) MINUTE, minuteMaxInFlight, sum(2, MINUTE),
                    hits + misses == 0 ? Double.NaN
                    : hits / (double) (hits + misses));
            minuteMaxInFlight = 0;
            minuteInFlightSum = 0;
            return r;
        }
        return null;
    }

    private static AbstractHistogram merge(AbstractHistogram into, SparseCounts[] from, int count) {
        into.reset();
        for (int i = 0; i < count; i++) {
            from[i].addTo(into);
        }
        return into;
    }

    private long sum(int counter, int lastTicks) {
        long s = 0;
        int n = (int) Math.min(lastTicks, ticks);
        for (int i = 1; i <= n; i++) {
            s += deltas[counter][(int) Math.floorMod(ticks - i, (long) SLOTS)];
        }
        return s;
    }

    private static double percentileMs(AbstractHistogram h, double p) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(p) / 1000.0;
    }

    private WindowStats window(double secondsCovered, int lastTicks, AbstractHistogram latency) {
        long req = sum(0, lastTicks);
        long err = sum(1, lastTicks);
        double span = Math.max(1, secondsCovered);
        return new WindowStats(span, req, req / span, err, req == 0 ? 0 : err / (double) req, sum(2, lastTicks)
                / span, percentileMs(latency, 50), percentileMs(latency, 90), percentileMs(latency, 99),
                percentileMs(latency, 99.9), latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue()
                / 1000.0);
    }

    /** The windows as of the last tick. Each is read from the scratch before the next is merged into it. */
    public synchronized TrafficSnapshot snapshot() {
        int last = (int) Math.floorMod(ticks - 1, (long) SECONDS);
        AbstractHistogram scratch = SCRATCH.get();
        scratch.reset();
        seconds[last].addTo(scratch); // empty before the first tick
        WindowStats w1 = window(Math.min(1, ticks), 1, scratch);
        WindowStats w10 = window(Math.min(SECONDS, ticks), SECONDS,
                merge(scratch, seconds, (int) Math.min(ticks, SECONDS)));
        WindowStats w60 = windowForBlocks((long) filledBlocks * SECONDS, merge(scratch, blocks, filledBlocks));
        Map<String, Long> cls = new TreeMap<>();
        for (int i = 0; i < CLASS_NAMES.length; i++) {
            long c = counters.sum(CLASSES + i);
            if (c > 0) {
                cls.put(CLASS_NAMES[i], c);
            }
        }
        Map<String, Long> fl = new TreeMap<>();
        flags.forEach((k, v) -> fl.put(k, v.sum()));
        long hits = sum(3, MINUTE);
        long misses = sum(4, MINUTE);
        return new TrafficSnapshot(kind, name, inFlight(), w1, w10, w60, cls, fl,
                hits + misses == 0 ? Double.NaN : hits / (double) (hits + misses), requests());
    }

    /** The minute window covers the completed blocks: the ticks up to the last block boundary. */
    private WindowStats windowForBlocks(long blockTicks, AbstractHistogram latency) {
        long offset = ticks % SECONDS;
        long req = 0;
        long err = 0;
        long by = 0;
        for (long i = offset + 1; i <= offset + blockTicks && i <= ticks; i++) {
            int idx = (int) Math.floorMod(ticks - i, (long) SLOTS);
            req += deltas[0][idx];
            err += deltas[1][idx];
            by += deltas[2][idx];
        }
        double span = Math.max(1, blockTicks);
        return new WindowStats(span, req, req / span, err, req == 0 ? 0 : err / (double) req, by / span,
                percentileMs(latency, 50), percentileMs(latency, 90), percentileMs(latency, 99),
                percentileMs(latency, 99.9), latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue()
                / 1000.0);
    }
}
