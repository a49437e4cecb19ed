package io.sidecar.fault.spec;

import java.util.List;
import java.util.Set;

/**
 * Which requests a fault considers. A null / empty field matches anything.
 *
 * @param methods upper-case HTTP methods; empty = any
 * @param pathGlob glob on the request path: {@code *} within one segment, {@code **} across segments,
 *     {@code ?} one character; null = any
 * @param caller value of the caller identity (the proxy's {@code RequestView.caller()}); null = any
 */
public record FaultMatch(
    String route,
    String cluster,
    String endpoint,
    Set<String> methods,
    String pathGlob,
    List<HeaderMatch> headers,
    String caller) {

  public static final FaultMatch ANY = new FaultMatch(null, null, null, Set.of(), null, List.of(), null);

  public FaultMatch {
    methods = methods == null ? Set.of() : Set.copyOf(methods);
    headers = headers == null ? List.of() : List.copyOf(headers);
  }
}
