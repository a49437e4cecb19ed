package io.sidecar.fault;

import io.sidecar.fault.experiment.ExperimentSpec;
import io.sidecar.fault.experiment.ExperimentView;
import io.sidecar.fault.experiment.HaltCondition;
import io.sidecar.fault.parse.Durations;
import io.sidecar.fault.spec.AbortSpec;
import io.sidecar.fault.spec.DelayDistribution;
import io.sidecar.fault.spec.DelayPhase;
import io.sidecar.fault.spec.FaultMatch;
import io.sidecar.fault.spec.FaultSpec;
import io.sidecar.fault.spec.HeaderMatch;
import io.sidecar.fault.spec.PatchSpec;
import io.sidecar.fault.tcp.TcpProxy;
import io.sidecar.fault.tcp.ToxicSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes specs and views back as JSON-neutral trees in the input shape, for the control API's GET
 * answers (serialise with any JSON library). {@code FaultSpecParser.parse(fault(spec))} gives the
 * spec back.
 */
public final class SpecTrees {
  private SpecTrees() {}

  public static Map<String, Object> fault(FaultSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    match(s.match(), m);
    m.put("percent", number(s.percent()));
    if (s.delay() != null) m.put("delay", delay(s.delay().phase(), s.delay().distribution()));
    if (s.abort() != null) m.put("abort", abort(s.abort()));
    if (s.bandwidth() != null) m.put("bandwidth", Map.of("kib_per_second", number(s.bandwidth().bytesPerSecond() / 1024.0)));
    if (s.slicer() != null) {
      m.put("slicer", Map.of("size", s.slicer().averageSize(), "size_variation", s.slicer().sizeVariation(),
          "delay", Durations.format(s.slicer().delay())));
    }
    if (s.truncate() != null) m.put("truncate", Map.of("after_bytes", s.truncate().afterBytes()));
    if (s.slowClose() != null) m.put("slow_close", Map.of("delay", Durations.format(s.slowClose().delay())));
    if (s.patch() != null) m.put("patch", patch(s.patch()));
    return m;
  }

  /** A fault in force: its id, source, creation and the spec's fields. */
  public static Map<String, Object> activeFault(ActiveFault f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", f.id());
    m.put("source", f.source());
    m.put("created_at", f.createdAt().toString());
    m.put("created_by", f.createdBy());
    m.putAll(fault(f.spec()));
    return m;
  }

  private static void match(FaultMatch mt, Map<String, Object> m) {
    if (mt.route() != null) m.put("route", mt.route());
    if (mt.cluster() != null) m.put("cluster", mt.cluster());
    if (mt.endpoint() != null) m.put("endpoint", mt.endpoint());
    if (!mt.methods().isEmpty()) m.put("methods", mt.methods().stream().sorted().toList());
    if (mt.pathGlob() != null) m.put("path", mt.pathGlob());
    if (mt.caller() != null) m.put("caller", mt.caller());
    if (!mt.headers().isEmpty()) {
      Map<String, Object> h = new LinkedHashMap<>();
      for (HeaderMatch hm : mt.headers()) {
        h.put(hm.name(), switch (hm.kind()) {
          case EXACT -> Map.of("exact", hm.value());
          case PREFIX -> Map.of("prefix", hm.value());
          case REGEX -> Map.of("regex", hm.value());
          case PRESENT -> Map.of("present", true);
          case ABSENT -> Map.of("present", false);
        });
      }
      m.put("headers", h);
    }
  }

  private static Map<String, Object> delay(DelayPhase phase, DelayDistribution d) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (d instanceof DelayDistribution.Fixed f) {
      m.put("fixed", Durations.format(f.delay()));
    } else if (d instanceof DelayDistribution.Uniform u) {
      m.put("uniform", Map.of("min", Durations.format(u.min()), "max", Durations.format(u.max())));
    } else if (d instanceof DelayDistribution.Normal n) {
      m.put("normal", durations(n.percentiles()));
    } else if (d instanceof DelayDistribution.LogNormal l) {
      m.put("lognormal", durations(l.percentiles()));
    }
    m.put("phase", phase.name().toLowerCase(Locale.ROOT));
    return m;
  }

  private static Map<String, Object> durations(Map<String, Duration> in) {
    Map<String, Object> out = new LinkedHashMap<>();
    in.forEach((k, v) -> out.put(k, Durations.format(v)));
    return out;
  }

  private static Map<String, Object> abort(AbortSpec a) {
    Map<String, Object> m = new LinkedHashMap<>();
    switch (a.kind()) {
      case STATUS -> {
        m.put("status", a.status());
        if (a.body() != null) m.put("body", a.body());
        if (!a.headers().isEmpty()) m.put("headers", a.headers());
      }
      case RESET -> m.put("reset", true);
      case CLOSE -> m.put("close", true);
      case UPSTREAM_UNAVAILABLE -> m.put("upstream_unavailable", true);
    }
    return m;
  }

  private static Map<String, Object> patch(PatchSpec p) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (p.status() != null) m.put("status", p.status());
    if (!p.setHeaders().isEmpty()) m.put("set_headers", p.setHeaders());
    if (!p.removeHeaders().isEmpty()) m.put("remove_headers", p.removeHeaders());
    if (p.body() != null) m.put("body", p.body());
    if (p.mergePatch() != null) m.put("merge_patch", p.mergePatch());
    return m;
  }

  public static Map<String, Object> experiment(ExperimentView v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id());
    m.put("name", v.name());
    m.put("state", v.state().name().toLowerCase(Locale.ROOT));
    m.put("created_by", v.createdBy());
    m.put("start_at", v.startAt().toString());
    if (v.endsAt() != null) m.put("ends_at", v.endsAt().toString());
    if (v.endedAt() != null) m.put("ended_at", v.endedAt().toString());
    if (v.endReason() != null) m.put("end_reason", v.endReason());
    m.put("fault_ids", v.faultIds());
    m.put("blast_radius", number(v.blastRadiusPercent()));
    m.put("requests_in_scope", v.seen());
    m.put("requests_affected", v.affected());
    ExperimentSpec s = v.spec();
    m.put("duration", Durations.format(s.duration()));
    m.put("faults", s.faults().stream().map(SpecTrees::fault).toList());
    m.put("halt_conditions", s.haltConditions().stream().map(SpecTrees::halt).toList());
    return m;
  }

  private static Map<String, Object> halt(HaltCondition h) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (h.metric() == HaltCondition.Metric.ERROR_RATE) m.put("error_rate_above", number(h.threshold()));
    else m.put("p99_above", Durations.format(Duration.ofNanos(Math.round(h.threshold() * 1e6))));
    m.put("route", h.route());
    m.put("window", Durations.format(h.window()));
    return m;
  }

  public static Map<String, Object> toxic(ToxicSpec t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.name());
    m.put("type", t.type().wireName());
    m.put("stream", t.stream().name().toLowerCase(Locale.ROOT));
    m.put("toxicity", t.toxicity());
    Map<String, Object> a = new LinkedHashMap<>();
    switch (t.type()) {
      case LATENCY -> {
        a.put("latency", Durations.format(t.latency()));
        a.put("jitter", Durations.format(t.jitter()));
      }
      case BANDWIDTH -> a.put("rate", number(t.rateBytesPerSecond() / 1024.0));
      case SLOW_CLOSE -> a.put("delay", Durations.format(t.delay()));
      case TIMEOUT, RESET_PEER -> a.put("timeout", Durations.format(t.timeout()));
      case SLICER -> {
        a.put("average_size", t.averageSize());
        a.put("size_variation", t.sizeVariation());
        a.put("delay", Durations.format(t.delay()));
      }
      case LIMIT_DATA -> a.put("bytes", t.bytes());
      case DOWN -> { }
    }
    m.put("attributes", a);
    return m;
  }

  public static Map<String, Object> tcpProxy(TcpProxy p) {
    var s = p.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("listen", s.listenHost() + ":" + p.listenPort());
    m.put("upstream", s.upstreamHost() + ":" + s.upstreamPort());
    m.put("enabled", p.enabled());
    m.put("connections", p.connectionCount());
    m.put("toxics", p.toxics().stream().map(SpecTrees::toxic).toList());
    return m;
  }

  public static Map<String, Object> audit(AuditEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", e.at().toString());
    m.put("actor", e.actor());
    m.put("action", e.action());
    m.put("subject", e.subject());
    m.put("detail", e.detail());
    return m;
  }

  public static List<Map<String, Object>> audit(List<AuditEvent> events) {
    return events.stream().map(SpecTrees::audit).toList();
  }

  private static Number number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Number) (long) d : (Number) d;
  }
}
