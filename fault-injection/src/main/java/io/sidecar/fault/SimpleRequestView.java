package io.sidecar.fault;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A {@link RequestView} over plain values, for tests and callers without their own request type. */
public record SimpleRequestView(
    String route, String cluster, String endpoint, String method, String path, String caller,
    Map<String, String> headers) implements RequestView {

  public SimpleRequestView {
    headers = headers == null ? Map.of()
        : headers.entrySet().stream().collect(Collectors.toUnmodifiableMap(
            e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue, (first, second) -> first));
  }

  public static SimpleRequestView of(String route, String method, String path) {
    return new SimpleRequestView(route, null, null, method, path, null, Map.of());
  }

  @Override
  public String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }

  public SimpleRequestView withHeaders(Map<String, String> h) {
    return new SimpleRequestView(route, cluster, endpoint, method, path, caller, h);
  }

  public SimpleRequestView withCluster(String c) {
    return new SimpleRequestView(route, c, endpoint, method, path, caller, headers);
  }

  public SimpleRequestView withEndpoint(String e) {
    return new SimpleRequestView(route, cluster, e, method, path, caller, headers);
  }

  public SimpleRequestView withCaller(String c) {
    return new SimpleRequestView(route, cluster, endpoint, method, path, c, headers);
  }
}
