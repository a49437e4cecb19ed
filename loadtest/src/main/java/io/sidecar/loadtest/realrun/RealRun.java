package io.sidecar.loadtest.realrun;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The "real run" of issue #3 (loadtest/real-run.sh starts the processes; this drives and reports):
 *
 * <pre>
 * RealRun run --strategy S --target URL --admin URL --token T --cluster C --slow-proxy P --slow-endpoint H:P
 *             [--rate 1000] [--duration 60] [--warmup 20] [--window 10] [--timeout-ms 1000]
 *             [--slow-latency-ms 2000] [--seed 42] [--client vertx|jdk] --out results.jsonl
 * RealRun report results.jsonl
 * </pre>
 *
 * {@code run} checks that the cluster runs strategy S, sends an unrecorded warm-up ramp, reads the per-endpoint counts,
 * sends the measured open-model load while a latency toxic sits on TCP proxy P for the middle half of the run
 * (from duration/4 to 3·duration/4: 15-45 s of 60 s, as the simulator's scenario 2), reads the counts again and
 * appends one {@link StrategyResult} line. The arrival times come from {@code --seed}, so every strategy gets the
 * same arrival sequence. {@code report} prints the table of every line in the file.
 */
public final class RealRun {
  static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final String TOXIC_NAME = "real-run-latency";

  private RealRun() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) usage("missing command (run | report)");
    switch (args[0]) {
      case "run" -> {
        StrategyResult result = run(Plan.from(Options.parse(args, 1)));
        System.out.print(ResultTable.format(List.of(result)));
      }
      case "report" -> {
        if (args.length != 2) usage("report takes one results file");
        System.out.print(ResultTable.format(read(Path.of(args[1]))));
      }
      default -> usage("unknown command '" + args[0] + "'");
    }
  }

  /** What one {@code run} does, from the command line. */
  record Plan(String strategy, URI target, URI admin, String token, String cluster, String slowProxy,
      String slowEndpoint, Path out, double rate, Duration length, Duration warmup, Duration window,
      Duration timeout, Duration slowLatency, long seed, String client) {

    static Plan from(Options o) {
      Plan p = new Plan(o.required("strategy"), URI.create(o.required("target")), URI.create(o.required("admin")),
          o.required("token"), o.required("cluster"), o.required("slow-proxy"), o.required("slow-endpoint"),
          Path.of(o.required("out")), o.decimal("rate", 1000), o.seconds("duration", 60), o.seconds("warmup", 20),
          o.seconds("window", 10), Duration.ofMillis(o.integer("timeout-ms", 1000)),
          Duration.ofMillis(o.integer("slow-latency-ms", 2000)), o.integer("seed", 42), o.text("client", "vertx"));
      if (p.length().isZero() || p.window().isZero()) throw new IllegalArgumentException("--duration and --window must be > 0");
      if (!p.client().equals("vertx") && !p.client().equals("jdk")) {
        throw new IllegalArgumentException("--client must be vertx or jdk, was '" + p.client() + "'");
      }
      return p;
    }

    RequestSender sender() {
      return client.equals("jdk") ? new JdkHttpSender(target, timeout) : new VertxHttpSender(target, timeout.toMillis());
    }
  }

  static StrategyResult run(Plan p) throws IOException, InterruptedException, ExecutionException {
    ControlApi api = new ControlApi(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), p.admin(), p.token());
    ControlApi.ClusterCounts initial = api.cluster(p.cluster());
    if (!initial.balancer().equals(p.strategy())) {
      throw new IllegalStateException("cluster '" + p.cluster() + "' runs balancer '" + initial.balancer()
          + "', not '" + p.strategy() + "': the row would be mislabelled");
    }
    if (!initial.requests().containsKey(p.slowEndpoint())) {
      throw new IllegalStateException("--slow-endpoint " + p.slowEndpoint() + " is not an endpoint of cluster '"
          + p.cluster() + "': " + initial.requests().keySet());
    }
    try (RequestSender sender = p.sender()) {
      if (!p.warmup().isZero()) warmUp(p, sender);
      return measure(p, api, sender);
    }
  }

  private static StrategyResult measure(Plan p, ControlApi api, RequestSender sender)
      throws IOException, InterruptedException, ExecutionException {
    ControlApi.ClusterCounts before = api.cluster(p.cluster());
    String loadBefore = loadAverage();
    String startedAt = Instant.now().toString();
    long start = System.nanoTime() + Duration.ofMillis(50).toNanos();
    long slowFrom = p.length().toNanos() / 4;
    long slowUntil = p.length().toNanos() * 3 / 4;
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    double[] toxicAt = {Double.NaN, Double.NaN};
    ScheduledFuture<?> add = timer.schedule(() -> {
      api.addLatencyToxic(p.slowProxy(), TOXIC_NAME, p.slowLatency());
      toxicAt[0] = (System.nanoTime() - start) / 1e9;
      return null;
    }, start + slowFrom - System.nanoTime(), TimeUnit.NANOSECONDS);
    ScheduledFuture<?> remove = timer.schedule(() -> {
      api.removeToxic(p.slowProxy(), TOXIC_NAME);
      toxicAt[1] = (System.nanoTime() - start) / 1e9;
      return null;
    }, start + slowUntil - System.nanoTime(), TimeUnit.NANOSECONDS);
    System.err.printf(Locale.ROOT, "%s: %.0f req/s for %d s, +%d ms on %s (TCP proxy %s) from %.1f s to %.1f s%n",
        p.strategy(), p.rate(), p.length().toSeconds(), p.slowLatency().toMillis(), p.slowEndpoint(), p.slowProxy(),
        slowFrom / 1e9, slowUntil / 1e9);
    RunRecorder recorder;
    try {
      recorder = new OpenLoadGenerator(sender, p.rate(), p.timeout())
          .run(start, p.length(), p.window(), new SplittableRandom(p.seed()));
      add.get();
      remove.get();
    } finally {
      timer.shutdownNow();
      timer.awaitTermination(10, TimeUnit.SECONDS); // also makes toxicAt's writes visible here
      if (!Double.isNaN(toxicAt[0]) && Double.isNaN(toxicAt[1])) {
        api.removeToxic(p.slowProxy(), TOXIC_NAME); // never leave the toxic behind a failed run
      }
    }
    ControlApi.ClusterCounts after = api.cluster(p.cluster());
    StrategyResult result = new StrategyResult(p.strategy(), startedAt, p.rate(), p.length().toSeconds(),
        p.warmup().toSeconds(), p.slowEndpoint(), p.slowLatency().toMillis(), toxicAt[0], toxicAt[1],
        recorder.summary(), after.requestsSince(before), after.failuresSince(before), loadBefore, loadAverage());
    Files.writeString(p.out(), JSON.writeValueAsString(result) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return result;
  }

  /**
   * Unrecorded load in four equal steps at 10, 25, 50 and 100 % of the rate. A cold JVM hit at once by the full
   * rate on this shared 2-core machine fell into timeouts it did not leave (every request timed out, each timeout
   * closing its connections, whose re-opening cost more CPU); a ramp lets the JIT compile the hot path first, as
   * traffic would reach a sidecar that had just started. Identical for every strategy.
   */
  private static void warmUp(Plan p, RequestSender sender) throws InterruptedException {
    Duration step = p.warmup().dividedBy(4);
    for (double share : new double[] {0.10, 0.25, 0.50, 1.0}) {
      LoadSummary w = new OpenLoadGenerator(sender, p.rate() * share, p.timeout())
          .run(System.nanoTime(), step, step, new SplittableRandom(~p.seed())).summary();
      System.err.printf(Locale.ROOT, "%s: warm-up at %.0f req/s: %d requests, %.1f %% success, p99 %.1f ms (not recorded)%n",
          p.strategy(), p.rate() * share, w.requests(), w.successPercent(), w.p99Ms());
    }
  }

  static List<StrategyResult> read(Path file) throws IOException {
    List<StrategyResult> results = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) results.add(JSON.readValue(line, StrategyResult.class));
    }
    return results;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + "/" + f[1] + "/" + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: RealRun run --strategy S --target URL --admin URL --token T --cluster C"
        + " --slow-proxy P --slow-endpoint HOST:PORT --out FILE [--rate 1000] [--duration 60] [--warmup 20]"
        + " [--window 10] [--timeout-ms 1000] [--slow-latency-ms 2000] [--seed 42] [--client vertx|jdk]");
    System.err.println("       RealRun report FILE");
    System.exit(2);
  }

  /** {@code --name value} pairs; a bad or missing value is an error naming the option. */
  record Options(Map<String, String> values) {
    static Options parse(String[] args, int from) {
      Map<String, String> values = new HashMap<>();
      for (int i = from; i < args.length; i += 2) {
        if (!args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
        }
        values.put(args[i].substring(2), args[i + 1]);
      }
      return new Options(values);
    }

    String text(String name, String dflt) {
      return values.getOrDefault(name, dflt);
    }

    String required(String name) {
      String v = values.get(name);
      if (v == null || v.isBlank()) throw new IllegalArgumentException("--" + name + " is required");
      return v;
    }

    double decimal(String name, double dflt) {
      String v = values.get(name);
      try {
        double d = v == null ? dflt : Double.parseDouble(v);
        if (!(d > 0)) throw new IllegalArgumentException("--" + name + " must be > 0, was " + v);
        return d;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a number, was '" + v + "'", e);
      }
    }

    long integer(String name, long dflt) {
      String v = values.get(name);
      try {
        long n = v == null ? dflt : Long.parseLong(v);
        if (n < 0) throw new IllegalArgumentException("--" + name + " must be >= 0, was " + v);
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + v + "'", e);
      }
    }

    Duration seconds(String name, long dflt) {
      return Duration.ofSeconds(integer(name, dflt));
    }
  }
}
