package io.sidecar.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code routes:} section of {@link ConfigParser}: matches, the cluster or weighted split (checked against the
 * clusters read before), rewrites, header mutations, timeouts, retries, the route cache and rate limit.
 */
final class RouteSectionParser {
  private static final Pattern METHOD = Pattern.compile("[A-Z]+");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final ConfigParser common;
  private final List<ConfigError> errors;

  RouteSectionParser(ConfigParser common, List<ConfigError> errors) {
    this.common = common;
    this.errors = errors;
  }

  List<RouteSpec> routes(Fields root, List<ListenerSpec> listeners, List<ClusterSpec> clusters) {
    List<YamlNode> items = root.list("routes");
    if (items.isEmpty()) {
      root.error("routes", "at least one route is required");
    }
    Set<String> listenerNames = new HashSet<>();
    listeners.forEach(l -> listenerNames.add(l.name()));
    Set<String> clusterNames = new HashSet<>();
    clusters.forEach(c -> clusterNames.add(c.name()));
    List<RouteSpec> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode item : items) {
      Fields f = Fields.of(item, errors, "name", "listener", "match", "cluster", "split", "rewrite_prefix",
          "host_rewrite", "request_headers", "response_headers", "timeout", "idle_timeout", "retry", "cache",
          "rate_limit");
      String name = f.requiredString("name");
      common.checkName(f, name, names, "route");
      String listener = f.string("listener", listeners.size() == 1 ? listeners.get(0).name() : null);
      if (listener == null) {
        f.error("listener", "is required when there is more than one listener");
      } else if (!listenerNames.isEmpty() && !listenerNames.contains(listener)) {
        f.error("listener", "no listener named '" + listener + "'");
      }
      RouteMatchSpec match = match(f.section("match", "host", "hosts", "path", "path_exact", "path_prefix",
          "path_regex", "methods", "headers", "query"));
      List<RouteSpec.WeightedCluster> split = split(f, clusterNames);
      String rewrite = f.string("rewrite_prefix", null);
      if (rewrite != null && match.pathPrefix() == null) {
        f.error("rewrite_prefix", "needs match.path_prefix");
      }
      Duration timeout = f.duration("timeout", RouteSpec.DEFAULT_TIMEOUT, true); // 0s: none (long-lived streams)
      Duration idle = f.duration("idle_timeout", RouteSpec.DEFAULT_IDLE_TIMEOUT, false);
      RetrySpec retry = f.has("retry") ? retry(f.section("retry", "on", "attempts", "per_try_timeout",
          "retriable_status_codes", "non_idempotent", "backoff_base", "backoff_max", "max_buffered_body")) : null;
      if (retry != null && retry.perTryTimeout() != null && !timeout.isZero() && retry.perTryTimeout().compareTo(timeout) > 0) {
        errors.add(new ConfigError(f.childPath("retry.per_try_timeout"), f.raw("retry").line(),
            "must not exceed the route timeout (" + Units.formatDuration(timeout) + ")"));
      }
      RouteCacheSpec cache = f.has("cache") ? routeCache(f.section("cache", "enabled", "default_ttl",
          "max_object_size", "key_headers", "ignore_query_params", "keep_query_params", "sort_query", "bypass",
          "heuristic", "adaptive_ttl", "refresh_ahead")) : null;
      out.add(new RouteSpec(name, listener, match, split, rewrite, f.string("host_rewrite", null),
          headerMutation(f.section("request_headers", "set", "add", "remove")),
          headerMutation(f.section("response_headers", "set", "add", "remove")),
          timeout, idle, retry, cache,
          f.has("rate_limit") ? rateLimit(f.section("rate_limit", "requests", "per", "burst")) : null));
    }
    return List.copyOf(out);
  }

  private RateLimitSpec rateLimit(Fields f) {
    if (!f.has("requests")) f.error("requests", "is required");
    int requests = f.integer("requests", 1, 1, 1_000_000_000);
    Duration per = f.duration("per", RateLimitSpec.DEFAULT_PER, false);
    int burst = f.integer("burst", requests, 1, 1_000_000_000);
    return new RateLimitSpec(requests, per, burst);
  }

  private List<RouteSpec.WeightedCluster> split(Fields f, Set<String> clusterNames) {
    List<RouteSpec.WeightedCluster> split = new ArrayList<>();
    if (f.has("cluster") && f.has("split")) {
      f.error("split", "give either cluster or split, not both");
    }
    if (f.has("cluster")) {
      String cluster = f.string("cluster", "");
      if (!clusterNames.contains(cluster)) f.error("cluster", "no cluster named '" + cluster + "'");
      split.add(new RouteSpec.WeightedCluster(cluster, 100));
    } else if (f.has("split")) {
      for (YamlNode item : f.list("split")) {
        Fields s = Fields.of(item, errors, "cluster", "weight");
        String cluster = s.requiredString("cluster");
        if (!cluster.isEmpty() && !clusterNames.contains(cluster)) {
          s.error("cluster", "no cluster named '" + cluster + "'");
        }
        if (!s.has("weight")) s.error("weight", "is required");
        int weight = s.integer("weight", 1, 0, 1_000_000);
        split.add(new RouteSpec.WeightedCluster(cluster, weight));
      }
      if (!split.isEmpty() && split.stream().mapToInt(RouteSpec.WeightedCluster::weight).sum() == 0) {
        f.error("split", "weights must not all be 0");
      }
      if (f.list("split").isEmpty()) f.error("split", "must name at least one cluster");
    } else {
      f.error("cluster", "is required (or split)");
    }
    return List.copyOf(split);
  }

  private RouteMatchSpec match(Fields f) {
    List<String> hosts = new ArrayList<>(f.strings("hosts"));
    hosts.addAll(f.strings("host"));
    hosts.replaceAll(h -> h.toLowerCase());
    String exact = f.string("path_exact", f.string("path", null));
    String prefix = f.string("path_prefix", null);
    Pattern regex = null;
    if (f.has("path_regex")) {
      try {
        regex = Pattern.compile(f.string("path_regex", ""));
      } catch (PatternSyntaxException e) {
        f.error("path_regex", "invalid regular expression: " + e.getDescription());
      }
    }
    int pathConditions = (exact != null ? 1 : 0) + (prefix != null ? 1 : 0) + (f.has("path_regex") ? 1 : 0);
    if (pathConditions > 1) {
      f.error("path_prefix", "give only one of path_exact, path_prefix, path_regex");
    }
    for (String p : new String[] {exact, prefix}) {
      if (p != null && !p.startsWith("/")) f.error(exact == p ? "path_exact" : "path_prefix", "must start with /");
    }
    Set<String> methods = new LinkedHashSet<>();
    for (String m : f.strings("methods")) {
      String upper = m.toUpperCase();
      if (!METHOD.matcher(upper).matches()) f.error("methods", "'" + m + "' is not an HTTP method");
      methods.add(upper);
    }
    return new RouteMatchSpec(List.copyOf(hosts), exact, prefix, regex, Set.copyOf(methods),
        valueMatches(f, "headers", true), valueMatches(f, "query", false));
  }

  private List<ValueMatchSpec> valueMatches(Fields parent, String key, boolean headers) {
    YamlNode node = parent.raw(key);
    if (node == null || node.isNull()) return List.of();
    if (!node.isMap()) {
      parent.error(node, "must be a map of name to condition");
      return List.of();
    }
    List<ValueMatchSpec> out = new ArrayList<>();
    for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
      String name = headers ? e.getKey().toLowerCase() : e.getKey();
      if (headers && !HEADER_NAME.matcher(name).matches()) {
        parent.error(e.getValue(), "'" + e.getKey() + "' is not a valid header name");
      }
      YamlNode cond = e.getValue();
      if (cond.isScalar()) {
        out.add(new ValueMatchSpec(name, ValueMatchSpec.Kind.EXACT, cond.scalar(), null, false));
        continue;
      }
      Fields c = Fields.of(cond, errors, "exact", "prefix", "suffix", "contains", "regex", "present", "invert");
      boolean invert = c.bool("invert", false);
      List<ValueMatchSpec> kinds = new ArrayList<>();
      for (String k : List.of("exact", "prefix", "suffix", "contains")) {
        if (c.has(k)) {
          kinds.add(new ValueMatchSpec(name, ValueMatchSpec.Kind.valueOf(k.toUpperCase()), c.string(k, ""), null, invert));
        }
      }
      if (c.has("regex")) {
        try {
          kinds.add(new ValueMatchSpec(name, ValueMatchSpec.Kind.REGEX, null, Pattern.compile(c.string("regex", "")), invert));
        } catch (PatternSyntaxException ex) {
          c.error("regex", "invalid regular expression: " + ex.getDescription());
        }
      }
      if (c.has("present")) {
        boolean present = c.bool("present", true);
        kinds.add(new ValueMatchSpec(name, present ? ValueMatchSpec.Kind.PRESENT : ValueMatchSpec.Kind.ABSENT, null, null, invert));
      }
      if (kinds.size() != 1) {
        c.error(cond, "give exactly one of exact, prefix, suffix, contains, regex, present");
      } else {
        out.add(kinds.get(0));
      }
    }
    return List.copyOf(out);
  }

  private HeaderMutationSpec headerMutation(Fields f) {
    Map<String, String> set = new LinkedHashMap<>();
    for (String key : List.of("set", "add")) {
      YamlNode node = f.raw(key);
      if (node == null || node.isNull()) continue;
      if (!node.isMap()) {
        f.error(node, "must be a map of header name to value");
        continue;
      }
      node.entries().forEach((name, value) -> {
        if (!HEADER_NAME.matcher(name).matches()) f.error(value, "'" + name + "' is not a valid header name");
        else if (!value.isScalar()) f.error(value, "must be text");
        else set.put(name.toLowerCase(), value.scalar());
      });
    }
    List<String> remove = new ArrayList<>();
    for (String name : f.strings("remove")) remove.add(name.toLowerCase());
    return set.isEmpty() && remove.isEmpty() ? HeaderMutationSpec.NONE
        : new HeaderMutationSpec(Map.copyOf(set), List.copyOf(remove));
  }

  private RetrySpec retry(Fields f) {
    List<String> on = f.strings("on");
    for (String condition : on) {
      if (!RetrySpec.CONDITIONS.contains(condition)) {
        f.error("on", "unknown retry condition '" + condition + "' (expected: "
            + String.join(", ", RetrySpec.CONDITIONS) + ")");
      }
    }
    List<Integer> codes = new ArrayList<>();
    for (String code : f.strings("retriable_status_codes")) {
      try {
        int c = Integer.parseInt(code.trim());
        if (c < 100 || c > 599) throw new NumberFormatException();
        codes.add(c);
      } catch (NumberFormatException e) {
        f.error("retriable_status_codes", "'" + code + "' is not an HTTP status code");
      }
    }
    return new RetrySpec(on.isEmpty() ? List.of("connect-failure", "reset") : on,
        f.integer("attempts", 1, 0, 10),
        f.duration("per_try_timeout", null, false),
        List.copyOf(codes),
        f.bool("non_idempotent", false),
        f.duration("backoff_base", RetrySpec.DEFAULT_BACKOFF_BASE, false),
        f.duration("backoff_max", Duration.ofMillis(250), false),
        f.size("max_buffered_body", RetrySpec.DEFAULT_MAX_BUFFERED_BODY));
  }

  private RouteCacheSpec routeCache(Fields f) {
    if (f.has("ignore_query_params") && f.has("keep_query_params")) {
      f.error("keep_query_params", "give either ignore_query_params or keep_query_params");
    }
    Fields bypass = f.section("bypass", "path_prefixes", "request_headers");
    for (String prefix : bypass.strings("path_prefixes")) {
      if (!prefix.startsWith("/")) bypass.error("path_prefixes", "'" + prefix + "' must start with /");
    }
    return new RouteCacheSpec(f.bool("enabled", true),
        f.duration("default_ttl", Duration.ZERO, true),
        f.size("max_object_size", RouteCacheSpec.DEFAULT_MAX_OBJECT_SIZE),
        f.strings("key_headers"), f.strings("ignore_query_params"), f.strings("keep_query_params"),
        f.bool("sort_query", true), bypass.strings("path_prefixes"), bypass.strings("request_headers"),
        f.bool("heuristic", true), f.bool("adaptive_ttl", false), f.bool("refresh_ahead", false));
  }
}
