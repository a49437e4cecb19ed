package io.sidecar.fault.tcp;

import static io.sidecar.fault.parse.FieldReader.child;
import static io.sidecar.fault.parse.FieldReader.index;

import io.sidecar.fault.parse.FieldReader;
import io.sidecar.fault.parse.ParseResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses TCP proxies and toxics, Toxiproxy's JSON shape with our duration strings:
 *
 * <pre>
 * {"name": "redis", "listen": "127.0.0.1:26379", "upstream": "127.0.0.1:6379",
 *  "toxics": [{"name": "slow", "type": "latency", "stream": "downstream", "toxicity": 1.0,
 *              "attributes": {"latency": "1s", "jitter": "100ms"}}]}
 * </pre>
 *
 * Toxic attributes: latency {latency, jitter}; bandwidth {rate} (KiB/s); slow_close {delay};
 * timeout {timeout}; reset_peer {timeout}; slicer {average_size, size_variation, delay};
 * limit_data {bytes}; down {}. Durations are strings with a unit; a bare number means milliseconds
 * (Toxiproxy's unit for all but the slicer's delay, which Toxiproxy takes in microseconds).
 * {@code stream} defaults to downstream, {@code toxicity} to 1.0 (or give {@code percent}: 0..100),
 * {@code name} to {@code <type>_<stream>}.
 */
public final class TcpProxySpecParser {

  private TcpProxySpecParser() {}

  public static ParseResult<TcpProxySpec> parseProxy(Object tree, String path) {
    FieldReader r = new FieldReader();
    TcpProxySpec spec = readProxy(r, tree, path);
    return new ParseResult<>(spec, r.errors());
  }

  public static ParseResult<List<TcpProxySpec>> parseProxies(Object tree, String path) {
    FieldReader r = new FieldReader();
    List<TcpProxySpec> out = new ArrayList<>();
    if (tree != null) {
      List<Object> l = r.list(tree, path);
      Set<String> names = new HashSet<>();
      if (l != null) {
        for (int i = 0; i < l.size(); i++) {
          TcpProxySpec s = readProxy(r, l.get(i), index(path, i));
          if (s != null && !names.add(s.name())) r.error(child(index(path, i), "name"), "duplicate proxy name '" + s.name() + "'");
          out.add(s);
        }
      }
    }
    return new ParseResult<>(out, r.errors());
  }

  public static ParseResult<ToxicSpec> parseToxic(Object tree, String path) {
    FieldReader r = new FieldReader();
    ToxicSpec t = readToxic(r, tree, path);
    return new ParseResult<>(t, r.errors());
  }

  static TcpProxySpec readProxy(FieldReader r, Object tree, String path) {
    Map<String, Object> m = r.object(tree, path);
    if (m == null) return null;
    int before = r.errors().size();
    r.rejectUnknown(m, Set.of("name", "listen", "upstream", "toxics"), path, "tcp proxy field");
    String name = r.string(m, "name", path, true);
    String listen = r.string(m, "listen", path, true);
    String upstream = r.string(m, "upstream", path, true);
    HostPort l = listen == null ? null : hostPort(r, listen, child(path, "listen"), true);
    HostPort u = upstream == null ? null : hostPort(r, upstream, child(path, "upstream"), false);
    List<ToxicSpec> toxics = new ArrayList<>();
    if (m.containsKey("toxics")) {
      List<Object> tl = r.list(m.get("toxics"), child(path, "toxics"));
      Set<String> names = new HashSet<>();
      if (tl != null) {
        for (int i = 0; i < tl.size(); i++) {
          String tp = index(child(path, "toxics"), i);
          ToxicSpec t = readToxic(r, tl.get(i), tp);
          if (t != null && !names.add(t.name())) r.error(child(tp, "name"), "duplicate toxic name '" + t.name() + "'");
          toxics.add(t);
        }
      }
    }
    if (r.errors().size() > before) return null;
    return new TcpProxySpec(name, l.host, l.port, u.host, u.port, toxics);
  }

  private record HostPort(String host, int port) {}

  private static HostPort hostPort(FieldReader r, String text, String path, boolean allowZero) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      r.error(path, "must be host:port, was '" + text + "'");
      return null;
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < (allowZero ? 0 : 1) || port > 65535) {
        r.error(path, "port must be between " + (allowZero ? 0 : 1) + " and 65535, was " + port);
        return null;
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
      return new HostPort(host, port);
    } catch (NumberFormatException e) {
      r.error(path, "port must be a number, was '" + text.substring(colon + 1) + "'");
      return null;
    }
  }

  static ToxicSpec readToxic(FieldReader r, Object tree, String path) {
    Map<String, Object> m = r.object(tree, path);
    if (m == null) return null;
    int before = r.errors().size();
    r.rejectUnknown(m, Set.of("name", "type", "stream", "toxicity", "percent", "attributes"), path, "toxic field");
    String typeName = r.string(m, "type", path, true);
    ToxicType type = null;
    if (typeName != null) {
      try {
        type = ToxicType.valueOf(typeName.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        r.error(child(path, "type"), "unknown toxic type '" + typeName
            + "' (known: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, down)");
      }
    }
    ToxicStream stream = ToxicStream.DOWNSTREAM;
    String streamName = r.string(m, "stream", path, false);
    if (streamName != null) {
      switch (streamName.toLowerCase(Locale.ROOT)) {
        case "upstream" -> stream = ToxicStream.UPSTREAM;
        case "downstream" -> stream = ToxicStream.DOWNSTREAM;
        default -> r.error(child(path, "stream"), "must be upstream or downstream, was '" + streamName + "'");
      }
    }
    double toxicity = 1.0;
    if (m.containsKey("toxicity") && m.containsKey("percent")) r.error(child(path, "percent"), "give either toxicity (0..1) or percent (0..100)");
    Double tox = r.numberInRange(m, "toxicity", path, false, 0, 1);
    Double pct = r.numberInRange(m, "percent", path, false, 0, 100);
    if (tox != null) toxicity = tox;
    if (pct != null) toxicity = pct / 100.0;
    String name = r.string(m, "name", path, false);
    Map<String, Object> attrs = m.containsKey("attributes") ? r.object(m.get("attributes"), child(path, "attributes")) : Map.of();
    if (attrs == null || type == null) return null;
    String ap = child(path, "attributes");
    Duration latency = null, jitter = null, delay = null, timeout = null;
    long rate = 0, bytes = 0;
    int avg = 0, variation = 0;
    switch (type) {
      case LATENCY -> {
        r.rejectUnknown(attrs, Set.of("latency", "jitter"), ap, "latency attribute");
        latency = r.duration(attrs, "latency", ap, true, true);
        jitter = r.duration(attrs, "jitter", ap, false, true);
        if (latency != null && jitter != null && jitter.compareTo(latency) > 0) {
          r.error(child(ap, "jitter"), "must not exceed latency (the delay would be negative)");
        }
      }
      case BANDWIDTH -> {
        r.rejectUnknown(attrs, Set.of("rate"), ap, "bandwidth attribute");
        Double kib = r.number(attrs, "rate", ap, true);
        if (kib != null) {
          rate = Math.round(kib * 1024);
          if (rate < 1) r.error(child(ap, "rate"), "must be greater than 0 (KiB/s)");
        }
      }
      case SLOW_CLOSE -> {
        r.rejectUnknown(attrs, Set.of("delay"), ap, "slow_close attribute");
        delay = r.duration(attrs, "delay", ap, true, true);
      }
      case TIMEOUT, RESET_PEER -> {
        r.rejectUnknown(attrs, Set.of("timeout"), ap, type.wireName() + " attribute");
        timeout = r.duration(attrs, "timeout", ap, false, true);
      }
      case SLICER -> {
        r.rejectUnknown(attrs, Set.of("average_size", "size_variation", "delay"), ap, "slicer attribute");
        Long a = r.integer(attrs, "average_size", ap, true, 1, Integer.MAX_VALUE);
        Long v = r.integer(attrs, "size_variation", ap, false, 0, Integer.MAX_VALUE);
        delay = r.duration(attrs, "delay", ap, false, true);
        if (a != null) avg = a.intValue();
        if (v != null) variation = v.intValue();
        if (a != null && v != null && v >= a) r.error(child(ap, "size_variation"), "must be smaller than average_size");
      }
      case LIMIT_DATA -> {
        r.rejectUnknown(attrs, Set.of("bytes"), ap, "limit_data attribute");
        Long b = r.size(attrs, "bytes", ap, true);
        if (b != null) bytes = b;
      }
      case DOWN -> r.rejectUnknown(attrs, Set.of(), ap, "down attribute");
    }
    if (r.errors().size() > before) return null;
    if (name == null) name = type.wireName() + "_" + stream.name().toLowerCase(Locale.ROOT);
    return new ToxicSpec(name, type, stream, toxicity, latency, jitter, rate, delay, timeout, bytes, avg, variation);
  }
}
