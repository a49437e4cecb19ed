package io.sidecar.fault.parse;

import static io.sidecar.fault.parse.FieldReader.child;
import static io.sidecar.fault.parse.FieldReader.index;

import io.sidecar.fault.spec.AbortSpec;
import io.sidecar.fault.spec.BandwidthSpec;
import io.sidecar.fault.spec.DelayDistribution;
import io.sidecar.fault.spec.DelayPhase;
import io.sidecar.fault.spec.DelaySpec;
import io.sidecar.fault.spec.FaultMatch;
import io.sidecar.fault.spec.FaultSpec;
import io.sidecar.fault.spec.HeaderMatch;
import io.sidecar.fault.spec.PatchSpec;
import io.sidecar.fault.spec.SlicerSpec;
import io.sidecar.fault.spec.SlowCloseSpec;
import io.sidecar.fault.spec.TruncateSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The one parser for fault rules, used by the YAML {@code faults:} section and by {@code POST /faults}.
 * Input is a JSON-neutral tree; output is a {@link FaultSpec} or every problem with its path.
 *
 * <pre>
 * {"name":"f1","route":"api","percent":100,"abort":{"status":503}}
 * {"name":"slow","route":"catalog-api","percent":5,"delay":{"fixed":"200ms"}}
 * </pre>
 *
 * Match fields may sit at the top level or inside {@code match: {...}}.
 */
public final class FaultSpecParser {

  static final Set<String> MATCH_KEYS =
      Set.of("route", "cluster", "endpoint", "method", "methods", "path", "headers", "caller");
  static final Set<String> ACTION_KEYS =
      Set.of("delay", "abort", "bandwidth", "slicer", "truncate", "slow_close", "patch");
  static final Set<String> META_KEYS = Set.of("name", "percent", "match");

  private static final Pattern METHOD = Pattern.compile("[A-Z]+");
  private static final Pattern PERCENTILE = Pattern.compile("p(\\d{1,2}(?:\\.\\d+)?)");

  /**
   * Built on first use: constructing it initialises commons-math's FastMath tables, about 30 ms of start-up that
   * only a delay given by two percentiles needs.
   */
  private static final class StandardNormal {
    static final NormalDistribution INSTANCE = new NormalDistribution(null, 0, 1);
  }

  private FaultSpecParser() {}

  /** Parses one fault; {@code path} prefixes every error path (e.g. {@code faults[2]}, or "" for an API body). */
  public static ParseResult<FaultSpec> parse(Object tree, String path) {
    FieldReader r = new FieldReader();
    FaultSpec spec = read(r, tree, path);
    return new ParseResult<>(spec, r.errors());
  }

  /** Parses a list of faults (the YAML {@code faults:} section); paths are {@code path[i]...}. */
  public static ParseResult<List<FaultSpec>> parseList(Object tree, String path) {
    FieldReader r = new FieldReader();
    List<FaultSpec> out = readList(r, tree, path);
    return new ParseResult<>(out, r.errors());
  }

  static List<FaultSpec> readList(FieldReader r, Object tree, String path) {
    List<FaultSpec> out = new ArrayList<>();
    if (tree == null) return out;
    List<Object> list = r.list(tree, path);
    if (list == null) return out;
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      FaultSpec spec = read(r, list.get(i), index(path, i));
      if (spec != null && !names.add(spec.name())) {
        r.error(child(index(path, i), "name"), "duplicate fault name '" + spec.name() + "'");
      }
      out.add(spec);
    }
    return out;
  }

  static FaultSpec read(FieldReader r, Object tree, String path) {
    Map<String, Object> m = r.object(tree, path);
    if (m == null) return null;
    int before = r.errors().size();
    Set<String> known = new LinkedHashSet<>(META_KEYS);
    known.addAll(MATCH_KEYS);
    known.addAll(ACTION_KEYS);
    for (String key : m.keySet()) {
      if (!known.contains(key)) {
        r.error(child(path, key), "unknown fault type or field '" + key + "' (fault types: "
            + String.join(", ", ACTION_KEYS.stream().sorted().toList()) + ")");
      }
    }
    String name = r.string(m, "name", path, true);
    Double percent = r.numberInRange(m, "percent", path, false, 0, 100);
    FaultMatch match = readMatch(r, m, path);

    DelaySpec delay = m.containsKey("delay") ? readDelay(r, m.get("delay"), child(path, "delay")) : null;
    AbortSpec abort = m.containsKey("abort") ? readAbort(r, m.get("abort"), child(path, "abort")) : null;
    BandwidthSpec bandwidth = m.containsKey("bandwidth") ? readBandwidth(r, m.get("bandwidth"), child(path, "bandwidth")) : null;
    SlicerSpec slicer = m.containsKey("slicer") ? readSlicer(r, m.get("slicer"), child(path, "slicer")) : null;
    TruncateSpec truncate = m.containsKey("truncate") ? readTruncate(r, m.get("truncate"), child(path, "truncate")) : null;
    SlowCloseSpec slowClose = m.containsKey("slow_close") ? readSlowClose(r, m.get("slow_close"), child(path, "slow_close")) : null;
    PatchSpec patch = m.containsKey("patch") ? readPatch(r, m.get("patch"), child(path, "patch")) : null;

    if (ACTION_KEYS.stream().noneMatch(m::containsKey)) {
      r.error(path.isEmpty() ? "(fault)" : path, "needs at least one fault type: "
          + String.join(", ", ACTION_KEYS.stream().sorted().toList()));
    }
    if (m.containsKey("abort") && m.containsKey("patch")) {
      r.error(child(path, "patch"), "cannot be combined with abort (an aborted request has no upstream response to patch)");
    }
    if (r.errors().size() > before) return null;
    return new FaultSpec(name, match, percent == null ? FaultSpec.DEFAULT_PERCENT : percent,
        delay, abort, bandwidth, slicer, truncate, slowClose, patch);
  }

  private static FaultMatch readMatch(FieldReader r, Map<String, Object> top, String path) {
    Map<String, Object> m = top;
    String mpath = path;
    if (top.containsKey("match")) {
      mpath = child(path, "match");
      m = r.object(top.get("match"), mpath);
      if (m == null) return FaultMatch.ANY;
      r.rejectUnknown(m, MATCH_KEYS, mpath, "match field");
      for (String key : MATCH_KEYS) {
        if (top.containsKey(key)) r.error(child(path, key), "given both at top level and inside match");
      }
    }
    String route = r.string(m, "route", mpath, false);
    String cluster = r.string(m, "cluster", mpath, false);
    String endpoint = r.string(m, "endpoint", mpath, false);
    String caller = r.string(m, "caller", mpath, false);
    if (endpoint != null && endpoint.lastIndexOf(':') <= 0) {
      r.error(child(mpath, "endpoint"), "can never match: endpoints are host:port, was '" + endpoint + "'");
    }
    Set<String> methods = new LinkedHashSet<>();
    for (String key : List.of("method", "methods")) {
      if (!m.containsKey(key)) continue;
      List<String> raw = r.stringList(m, key, mpath);
      if (raw == null) continue;
      if (raw.isEmpty()) r.error(child(mpath, key), "an empty method list can never match");
      for (int i = 0; i < raw.size(); i++) {
        String up = raw.get(i).trim().toUpperCase(Locale.ROOT);
        if (!METHOD.matcher(up).matches()) {
          r.error(m.get(key) instanceof String ? child(mpath, key) : index(child(mpath, key), i),
              "'" + raw.get(i) + "' is not an HTTP method");
        } else {
          methods.add(up);
        }
      }
    }
    if (m.containsKey("method") && m.containsKey("methods")) {
      r.error(child(mpath, "method"), "give either method or methods, not both");
    }
    String path0 = r.string(m, "path", mpath, false);
    if (path0 != null) {
      if (!path0.startsWith("/")) {
        r.error(child(mpath, "path"), "can never match: request paths start with '/', was '" + path0 + "'");
      } else if (path0.contains("***")) {
        r.error(child(mpath, "path"), "'***' is not a valid glob (use * within a segment, ** across segments)");
      }
    }
    List<HeaderMatch> headers = new ArrayList<>();
    if (m.containsKey("headers")) {
      String hpath = child(mpath, "headers");
      Map<String, Object> hm = r.object(m.get("headers"), hpath);
      if (hm != null) {
        if (hm.isEmpty()) r.error(hpath, "must name at least one header (omit it to match any)");
        for (Map.Entry<String, Object> e : hm.entrySet()) {
          HeaderMatch h = readHeader(r, e.getKey(), e.getValue(), child(hpath, e.getKey()));
          if (h != null) headers.add(h);
        }
      }
    }
    return new FaultMatch(route, cluster, endpoint, methods, path0, headers, caller);
  }

  private static HeaderMatch readHeader(FieldReader r, String name, Object node, String path) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (name.isBlank()) {
      r.error(path, "header name must not be empty");
      return null;
    }
    if (node instanceof String s) return new HeaderMatch(lower, HeaderMatch.Kind.EXACT, s);
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    r.rejectUnknown(m, Set.of("exact", "prefix", "regex", "present"), path, "header condition");
    int kinds = 0;
    for (String k : List.of("exact", "prefix", "regex", "present")) if (m.containsKey(k)) kinds++;
    if (kinds != 1) {
      r.error(path, kinds == 0
          ? "needs one of exact, prefix, regex, present"
          : "can never match reliably: give exactly one of exact, prefix, regex, present");
      return null;
    }
    if (m.containsKey("present")) {
      Boolean present = r.bool(m, "present", path);
      if (present == null) return null;
      return new HeaderMatch(lower, present ? HeaderMatch.Kind.PRESENT : HeaderMatch.Kind.ABSENT, null);
    }
    if (m.containsKey("regex")) {
      String regex = r.string(m, "regex", path, true);
      if (regex == null) return null;
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        r.error(child(path, "regex"), "invalid regular expression: " + e.getDescription());
        return null;
      }
      return new HeaderMatch(lower, HeaderMatch.Kind.REGEX, regex);
    }
    String key = m.containsKey("exact") ? "exact" : "prefix";
    Object v = m.get(key);
    if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
      r.error(child(path, key), "must be a string");
      return null;
    }
    return new HeaderMatch(lower, key.equals("exact") ? HeaderMatch.Kind.EXACT : HeaderMatch.Kind.PREFIX, String.valueOf(v));
  }

  private static DelaySpec readDelay(FieldReader r, Object node, String path) {
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    int before = r.errors().size();
    r.rejectUnknown(m, Set.of("fixed", "jitter", "uniform", "normal", "lognormal", "phase"), path, "delay field");
    DelayPhase phase = DelayPhase.REQUEST;
    String on = r.string(m, "phase", path, false); // not "on": YAML 1.1 reads an unquoted on as a boolean
    if (on != null) {
      switch (on.toLowerCase(Locale.ROOT)) {
        case "request" -> phase = DelayPhase.REQUEST;
        case "response" -> phase = DelayPhase.RESPONSE;
        default -> r.error(child(path, "phase"), "must be 'request' (before upstream) or 'response' (first byte), was '" + on + "'");
      }
    }
    int kinds = 0;
    for (String k : List.of("fixed", "uniform", "normal", "lognormal")) if (m.containsKey(k)) kinds++;
    if (kinds != 1) {
      r.error(path, "needs exactly one of fixed, uniform, normal, lognormal");
      return null;
    }
    if (m.containsKey("jitter") && !m.containsKey("fixed")) {
      r.error(child(path, "jitter"), "only goes with fixed");
    }
    DelayDistribution dist = null;
    if (m.containsKey("fixed")) {
      Duration fixed = r.duration(m, "fixed", path, true, false);
      Duration jitter = r.duration(m, "jitter", path, false, false);
      if (fixed != null) {
        if (jitter == null || jitter.isZero()) {
          dist = new DelayDistribution.Fixed(fixed);
        } else if (jitter.compareTo(fixed) > 0) {
          r.error(child(path, "jitter"), "must not exceed fixed (the delay would be negative)");
        } else {
          dist = new DelayDistribution.Uniform(fixed.minus(jitter), fixed.plus(jitter));
        }
      }
    } else if (m.containsKey("uniform")) {
      String upath = child(path, "uniform");
      Map<String, Object> u = r.object(m.get("uniform"), upath);
      if (u != null) {
        r.rejectUnknown(u, Set.of("min", "max"), upath, "field");
        Duration min = r.duration(u, "min", upath, true, false);
        Duration max = r.duration(u, "max", upath, true, false);
        if (min != null && max != null) {
          if (max.compareTo(min) < 0) r.error(child(upath, "max"), "must be at least min");
          else dist = new DelayDistribution.Uniform(min, max);
        }
      }
    } else {
      boolean log = m.containsKey("lognormal");
      String dpath = child(path, log ? "lognormal" : "normal");
      dist = readPercentileFit(r, m.get(log ? "lognormal" : "normal"), dpath, log);
    }
    if (r.errors().size() > before || dist == null) return null;
    return new DelaySpec(phase, dist);
  }

  /** Fits a normal (or log-normal) distribution to two given percentiles; see {@link DelayDistribution.Normal}. */
  private static DelayDistribution readPercentileFit(FieldReader r, Object node, String path, boolean log) {
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    TreeMap<Double, Duration> points = new TreeMap<>();
    Map<String, Duration> given = new LinkedHashMap<>();
    for (String key : m.keySet()) {
      Matcher pm = PERCENTILE.matcher(key);
      double p = pm.matches() ? Double.parseDouble(pm.group(1)) : -1;
      if (p <= 0 || p >= 100) {
        r.error(child(path, key), "must be a percentile key like p50, p90, p99, p99.9");
        continue;
      }
      Duration d = r.duration(m, key, path, true, false);
      if (d == null) continue;
      if (log && d.isZero()) {
        r.error(child(path, key), "must be greater than 0 for a log-normal distribution");
        continue;
      }
      points.put(p / 100.0, d);
      given.put(key, d);
    }
    if (given.size() != m.size()) return null;
    if (points.size() != 2) {
      r.error(path, "needs exactly two percentiles, e.g. {p50: 100ms, p99: 400ms}");
      return null;
    }
    double pa = points.firstKey();
    double pb = points.lastKey();
    double va = points.firstEntry().getValue().toNanos();
    double vb = points.lastEntry().getValue().toNanos();
    if (vb <= va) {
      r.error(path, "the higher percentile must have the longer delay");
      return null;
    }
    double za = StandardNormal.INSTANCE.inverseCumulativeProbability(pa);
    double zb = StandardNormal.INSTANCE.inverseCumulativeProbability(pb);
    if (log) {
      double sigma = (Math.log(vb) - Math.log(va)) / (zb - za);
      return new DelayDistribution.LogNormal(given, Math.log(va) - za * sigma, sigma);
    }
    double sigma = (vb - va) / (zb - za);
    return new DelayDistribution.Normal(given, va - za * sigma, sigma);
  }

  private static AbortSpec readAbort(FieldReader r, Object node, String path) {
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    int before = r.errors().size();
    r.rejectUnknown(m, Set.of("status", "body", "headers", "reset", "close", "upstream_unavailable"), path, "abort field");
    List<String> kinds = new ArrayList<>();
    for (String k : List.of("status", "reset", "close", "upstream_unavailable")) if (m.containsKey(k)) kinds.add(k);
    if (kinds.size() != 1) {
      r.error(path, "needs exactly one of status, reset: true, close: true, upstream_unavailable: true"
          + (kinds.isEmpty() ? "" : " (got " + String.join(", ", kinds) + ")"));
      return null;
    }
    String kind = kinds.get(0);
    if (!kind.equals("status")) {
      Boolean b = r.bool(m, kind, path);
      if (b != null && !b) r.error(child(path, kind), "must be true (omit the abort to disable it)");
      for (String k : List.of("body", "headers")) {
        if (m.containsKey(k)) r.error(child(path, k), "only goes with status");
      }
      if (r.errors().size() > before) return null;
      return new AbortSpec(switch (kind) {
        case "reset" -> AbortSpec.Kind.RESET;
        case "close" -> AbortSpec.Kind.CLOSE;
        default -> AbortSpec.Kind.UPSTREAM_UNAVAILABLE;
      }, 0, null, Map.of());
    }
    Long status = r.integer(m, "status", path, true, 200, 599);
    String body = m.get("body") == null ? null : r.string(m, "body", path, false);
    Map<String, String> headers = r.stringMap(m, "headers", path);
    if (r.errors().size() > before) return null;
    return new AbortSpec(AbortSpec.Kind.STATUS, status.intValue(), body, headers);
  }

  private static BandwidthSpec readBandwidth(FieldReader r, Object node, String path) {
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    r.rejectUnknown(m, Set.of("kib_per_second"), path, "bandwidth field");
    Double kib = r.number(m, "kib_per_second", path, true);
    if (kib == null) return null;
    long bytes = Math.round(kib * 1024);
    if (bytes < 1) {
      r.error(child(path, "kib_per_second"), "must be greater than 0, was " + kib);
      return null;
    }
    return new BandwidthSpec(bytes);
  }

  private static SlicerSpec readSlicer(FieldReader r, Object node, String path) {
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    int before = r.errors().size();
    r.rejectUnknown(m, Set.of("size", "size_variation", "delay"), path, "slicer field");
    Long size = r.size(m, "size", path, true);
    Long variation = r.size(m, "size_variation", path, false);
    Duration delay = r.duration(m, "delay", path, true, false);
    if (size != null && (size < 1 || size > Integer.MAX_VALUE)) r.error(child(path, "size"), "must be at least 1 byte");
    if (size != null && variation != null && variation >= size) {
      r.error(child(path, "size_variation"), "must be smaller than size");
    }
    if (r.errors().size() > before) return null;
    return new SlicerSpec(size.intValue(), variation == null ? 0 : variation.intValue(), delay);
  }

  private static TruncateSpec readTruncate(FieldReader r, Object node, String path) {
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    r.rejectUnknown(m, Set.of("after_bytes"), path, "truncate field");
    Long after = r.size(m, "after_bytes", path, true);
    return after == null ? null : new TruncateSpec(after);
  }

  private static SlowCloseSpec readSlowClose(FieldReader r, Object node, String path) {
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    r.rejectUnknown(m, Set.of("delay"), path, "slow_close field");
    Duration d = r.duration(m, "delay", path, true, false);
    return d == null ? null : new SlowCloseSpec(d);
  }

  @SuppressWarnings("unchecked")
  private static PatchSpec readPatch(FieldReader r, Object node, String path) {
    Map<String, Object> m = r.object(node, path);
    if (m == null) return null;
    int before = r.errors().size();
    r.rejectUnknown(m, Set.of("status", "set_headers", "remove_headers", "body", "merge_patch"), path, "patch field");
    if (m.isEmpty()) r.error(path, "needs at least one of status, set_headers, remove_headers, body, merge_patch");
    Long status = r.integer(m, "status", path, false, 100, 599);
    Map<String, String> set = r.stringMap(m, "set_headers", path);
    List<String> remove = r.stringList(m, "remove_headers", path);
    String body = null;
    if (m.containsKey("body")) {
      if (m.get("body") instanceof String s) body = s;
      else r.error(child(path, "body"), "must be a string");
    }
    Map<String, Object> mergePatch = null;
    if (m.containsKey("merge_patch")) {
      if (m.get("merge_patch") instanceof Map<?, ?> mp) mergePatch = (Map<String, Object>) mp;
      else r.error(child(path, "merge_patch"), "must be a JSON object (RFC 7386 merge patch)");
    }
    if (body != null && mergePatch != null) r.error(child(path, "merge_patch"), "cannot be combined with body");
    if (r.errors().size() > before) return null;
    return new PatchSpec(status == null ? null : status.intValue(), set,
        remove == null ? null : remove.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList(), body, mergePatch);
  }
}
