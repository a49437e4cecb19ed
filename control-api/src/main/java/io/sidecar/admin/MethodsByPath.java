package io.sidecar.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which methods a router serves at a path, so that a known path called with another method gets 405 and an
 * {@code Allow} field instead of 404. The router's catch-all route answers every unmatched request, so Vert.x's own
 * 405 never happens.
 */
final class MethodsByPath {
  private record Entry(Pattern path, Set<HttpMethod> methods) {}

  private final List<Entry> entries;

  private MethodsByPath(List<Entry> entries) {
    this.entries = entries;
  }

  /** Reads the routes with a path and methods that {@code router} has now. */
  static MethodsByPath of(Router router) {
    List<Entry> entries = new ArrayList<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) continue;
      String regex = Pattern.quote(route.getPath()).replaceAll(":\\w+", "\\\\E[^/]+\\\\Q");
      entries.add(new Entry(Pattern.compile(regex), route.methods()));
    }
    return new MethodsByPath(entries);
  }

  /** The methods served at {@code path}, as an {@code Allow} value ("GET, POST"); empty when none. */
  String allowed(String path) {
    Set<String> names = new TreeSet<>();
    for (Entry entry : entries) {
      if (entry.path().matcher(path).matches()) entry.methods().forEach(m -> names.add(m.name()));
    }
    if (names.contains("GET")) names.add("HEAD");
    return names.stream().collect(Collectors.joining(", "));
  }
}
