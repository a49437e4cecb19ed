package io.sidecar.fault;

import io.sidecar.fault.spec.FaultMatch;
import io.sidecar.fault.spec.FaultSpec;
import io.sidecar.fault.spec.HeaderMatch;
import java.util.regex.Pattern;

/**
 * A fault rule prepared for the hot path: fields as plain arrays and strings, checks ordered
 * cheapest and most selective first (route, cluster, method, endpoint, caller, path, headers).
 * {@link #matches} allocates nothing except for regex header conditions.
 */
final class CompiledRule {

  final ActiveFault fault;
  final FaultSpec spec;
  final BlastRadius blastRadius; // null outside experiments
  final double percent;
  private final String route;
  private final String cluster;
  private final String endpoint;
  private final String caller;
  private final String[] methods;
  private final PathGlob path;
  private final String[] headerNames;
  private final HeaderMatch.Kind[] headerKinds;
  private final String[] headerValues;
  private final Pattern[] headerPatterns;

  CompiledRule(ActiveFault fault, BlastRadius blastRadius) {
    this.fault = fault;
    this.spec = fault.spec();
    this.blastRadius = blastRadius;
    this.percent = spec.percent();
    FaultMatch m = spec.match();
    this.route = m.route();
    this.cluster = m.cluster();
    this.endpoint = m.endpoint();
    this.caller = m.caller();
    this.methods = m.methods().isEmpty() ? null : m.methods().toArray(new String[0]);
    this.path = m.pathGlob() == null ? null : new PathGlob(m.pathGlob());
    int n = m.headers().size();
    headerNames = new String[n];
    headerKinds = new HeaderMatch.Kind[n];
    headerValues = new String[n];
    headerPatterns = new Pattern[n];
    for (int i = 0; i < n; i++) {
      HeaderMatch h = m.headers().get(i);
      headerNames[i] = h.name();
      headerKinds[i] = h.kind();
      headerValues[i] = h.value();
      headerPatterns[i] = h.kind() == HeaderMatch.Kind.REGEX ? Pattern.compile(h.value()) : null;
    }
  }

  boolean matches(RequestView v) {
    if (route != null && !route.equals(v.route())) return false;
    if (cluster != null && !cluster.equals(v.cluster())) return false;
    if (methods != null && !containsMethod(v.method())) return false;
    if (endpoint != null && !endpoint.equals(v.endpoint())) return false;
    if (caller != null && !caller.equals(v.caller())) return false;
    if (path != null && !path.matches(v.path())) return false;
    for (int i = 0; i < headerNames.length; i++) {
      String value = v.header(headerNames[i]);
      boolean ok = switch (headerKinds[i]) {
        case EXACT -> headerValues[i].equals(value);
        case PREFIX -> value != null && value.startsWith(headerValues[i]);
        case REGEX -> value != null && headerPatterns[i].matcher(value).matches();
        case PRESENT -> value != null;
        case ABSENT -> value == null;
      };
      if (!ok) return false;
    }
    return true;
  }

  private boolean containsMethod(String method) {
    if (method == null) return false;
    for (String m : methods) if (m.equals(method)) return true;
    return false;
  }
}
