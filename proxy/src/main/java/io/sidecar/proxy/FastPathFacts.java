package io.sidecar.proxy;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.sidecar.proxy.http1.RequestHeadParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** {@link RequestFacts} over the head the byte-level path has just parsed (valid until the next parse). */
final class FastPathFacts implements RequestFacts {
  private final RequestHeadParser head;

  FastPathFacts(RequestHeadParser head) {
    this.head = head;
  }

  @Override
  public String host() {
    return head.host();
  }

  @Override
  public String path() {
    return head.path();
  }

  @Override
  public String method() {
    return head.method();
  }

  @Override
  public String header(String name) {
    return head.header(name);
  }

  /** Decoded as Vert.x decodes {@code getParam} (RFC 3986 percent-decoding, '+' as space, UTF-8). */
  @Override
  public String queryParam(String name) {
    String query = head.query();
    if (query == null) return null;
    Map<String, List<String>> params = new QueryStringDecoder(query, StandardCharsets.UTF_8, false).parameters();
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
