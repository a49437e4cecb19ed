package io.sidecar.fault.parse;

import static io.sidecar.fault.parse.FieldReader.child;
import static io.sidecar.fault.parse.FieldReader.index;

import io.sidecar.fault.experiment.ExperimentSpec;
import io.sidecar.fault.experiment.HaltCondition;
import io.sidecar.fault.spec.FaultSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parses {@code POST /experiments} bodies:
 *
 * <pre>
 * {"name": "catalog-latency",
 *  "faults": [ {"name": "slow", "route": "catalog-api", "percent": 50, "delay": {"fixed": "200ms"}} ],
 *  "start_in": "10s",                      # or "start_at": "2026-11-23T15:00:00Z"; neither = now
 *  "duration": "5m",
 *  "blast_radius": 10,                     # required: max % of in-scope requests affected
 *  "halt_conditions": [ {"error_rate_above": 5, "window": "30s"},
 *                       {"p99_above": "300ms", "route": "catalog-api", "window": "30s"} ]}
 * </pre>
 *
 * A halt condition's {@code route} defaults to the faults' route when they all name the same one.
 */
public final class ExperimentSpecParser {

  public static final Duration DEFAULT_HALT_WINDOW = Duration.ofSeconds(30);

  private ExperimentSpecParser() {}

  public static ParseResult<ExperimentSpec> parse(Object tree, String path) {
    FieldReader r = new FieldReader();
    ExperimentSpec spec = read(r, tree, path);
    return new ParseResult<>(spec, r.errors());
  }

  static ExperimentSpec read(FieldReader r, Object tree, String path) {
    Map<String, Object> m = r.object(tree, path);
    if (m == null) return null;
    r.rejectUnknown(m, Set.of("name", "faults", "start_at", "start_in", "duration", "blast_radius", "halt_conditions"),
        path, "experiment field");
    String name = r.string(m, "name", path, true);
    List<FaultSpec> faults = List.of();
    if (!m.containsKey("faults")) {
      r.error(child(path, "faults"), "is required (a non-empty list of faults)");
    } else {
      faults = FaultSpecParser.readList(r, m.get("faults"), child(path, "faults"));
      if (faults.isEmpty() && m.get("faults") instanceof List<?>) r.error(child(path, "faults"), "must not be empty");
    }
    Instant startAt = null;
    String at = r.string(m, "start_at", path, false);
    if (at != null) {
      try {
        startAt = Instant.parse(at);
      } catch (DateTimeParseException e) {
        r.error(child(path, "start_at"), "must be an ISO-8601 instant like 2026-11-23T15:00:00Z");
      }
    }
    Duration startIn = r.duration(m, "start_in", path, false, false);
    if (m.containsKey("start_at") && m.containsKey("start_in")) {
      r.error(child(path, "start_in"), "give either start_at or start_in, not both");
    }
    Duration duration = r.duration(m, "duration", path, true, false);
    if (duration != null && duration.isZero()) r.error(child(path, "duration"), "must be greater than 0");
    Double blast = r.numberInRange(m, "blast_radius", path, true, 0, 100);
    if (blast != null && blast == 0) r.error(child(path, "blast_radius"), "0 % would affect nothing; must be above 0");

    Set<String> routes = faults.stream().filter(Objects::nonNull).map(f -> f.match().route()).collect(Collectors.toSet());
    String defaultRoute = routes.size() == 1 && !routes.contains(null) ? routes.iterator().next() : null;
    List<HaltCondition> halts = new ArrayList<>();
    if (m.containsKey("halt_conditions")) {
      String hpath = child(path, "halt_conditions");
      List<Object> list = r.list(m.get("halt_conditions"), hpath);
      if (list != null) {
        for (int i = 0; i < list.size(); i++) {
          HaltCondition h = readHalt(r, list.get(i), index(hpath, i), defaultRoute, faults.contains(null));
          if (h != null) halts.add(h);
        }
      }
    }
    if (r.hasErrors()) return null;
    return new ExperimentSpec(name, faults, startAt, startIn, duration, blast, halts);
  }

  private static HaltCondition readHalt(FieldReader r, Object node, String path, String defaultRoute,
      boolean faultsInvalid) {
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    int before = r.errors().size();
    r.rejectUnknown(m, Set.of("error_rate_above", "p99_above", "route", "window"), path, "halt condition field");
    boolean err = m.containsKey("error_rate_above");
    boolean p99 = m.containsKey("p99_above");
    if (err == p99) {
      r.error(path, "needs exactly one of error_rate_above (percent) or p99_above (duration)");
      return null;
    }
    String route = r.string(m, "route", path, false);
    if (route == null && !m.containsKey("route")) {
      route = defaultRoute;
      // when a fault did not parse, its route is unknown: do not report a consequence as an error
      if (route == null && !faultsInvalid) {
        r.error(child(path, "route"), "is required when the faults do not all name the same route");
      }
    }
    Duration window = m.containsKey("window") ? r.duration(m, "window", path, true, false) : DEFAULT_HALT_WINDOW;
    if (window != null && window.isZero()) r.error(child(path, "window"), "must be greater than 0");
    double threshold = 0;
    if (err) {
      Double pct = r.numberInRange(m, "error_rate_above", path, true, 0, 100);
      if (pct != null) threshold = pct;
    } else {
      Duration d = r.duration(m, "p99_above", path, true, false);
      if (d != null) threshold = d.toNanos() / 1e6;
    }
    if (r.errors().size() > before) return null;
    return new HaltCondition(err ? HaltCondition.Metric.ERROR_RATE : HaltCondition.Metric.P99_LATENCY, route, threshold, window);
  }
}
