package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** x-request-id: generated once when absent, passed on when present, on the byte-level and the full path. */
class RequestIdTest {
  private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
  private final ProxyHarness h = new ProxyHarness();
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void randomIdsAreVersion4UuidsAndDistinct() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = RequestIds.random();
      assertThat(id).matches(UUID_V4);
      assertThat(UUID.fromString(id).version()).isEqualTo(4);
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
    io.netty.buffer.ByteBuf field = io.netty.buffer.Unpooled.buffer();
    RequestIds.writeRandomField(field);
    RequestIds.writeRandomField(field);
    String written = field.toString(java.nio.charset.StandardCharsets.US_ASCII);
    String oneField = "x-request-id: (" + UUID_V4 + ")\r\n";
    assertThat(written).matches(oneField + oneField);
    assertThat(UUID.fromString(written.substring(14, 50)).version()).isEqualTo(4);
    assertThat(written.substring(14, 50)).isNotEqualTo(written.substring(66, 102)); // each call its own id
  }

  /** A rate limit (never reached here): the route is served by the full path. */
  private static final String FULL_PATH = "    rate_limit: { requests: 1000000 }\n";

  private int upstream(boolean failFirst) {
    return h.upstream(req -> {
      seen.add(String.valueOf(req.getHeader("x-request-id")));
      req.response().setStatusCode(failFirst && seen.size() == 1 ? 503 : 200).end("ok");
    });
  }

  private String config(int upstream, String server, String routeExtras) {
    return server + """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: r
            cluster: app
        """ + routeExtras + """
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream);
  }

  private void get(String requestId) {
    MultiMap headers = requestId == null ? null : MultiMap.caseInsensitiveMultiMap().add("X-Request-Id", requestId);
    assertThat(h.send(HttpMethod.GET, "/x", headers, null).status()).isEqualTo(200);
  }

  @Test
  void aRequestWithoutOneGetsAFreshIdAndAClientsOwnIsKeptOnBothPaths() {
    int upstream = upstream(false);
    long version = 1;
    for (String route : new String[] {"", FULL_PATH}) {
      seen.clear();
      h.start(version++, config(upstream, "", route));
      get(null);
      get(null);
      get("client-chosen-7");
      assertThat(seen.get(0)).as(route).matches(UUID_V4);
      assertThat(seen.get(1)).matches(UUID_V4).isNotEqualTo(seen.get(0));
      assertThat(seen.get(2)).isEqualTo("client-chosen-7");
    }
    // the byte-level path takes all three on the first route, none on the full-path one
    assertThat(h.registry.get("sidecar_fast_path_requests").counter().count()).isEqualTo(3);
  }

  @Test
  void aRetriedRequestKeepsItsIdOnEveryTry() {
    h.start(1, config(upstream(true), "", "    retry: { on: [ 5xx ], attempts: 2 }\n"));
    get(null);
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).matches(UUID_V4).isEqualTo(seen.get(1));
  }

  @Test
  void generationCanBeTurnedOff() {
    int upstream = upstream(false);
    h.start(1, config(upstream, "server: { generate_request_id: false }\n", ""));
    get(null);
    get(null);
    get("kept");
    h.start(2, config(upstream, "server: { generate_request_id: false }\n", FULL_PATH));
    get(null);
    assertThat(seen).containsExactly("null", "null", "kept", "null");
    assertThat(h.registry.get("sidecar_fast_path_requests").counter().count()).isEqualTo(3);
  }
}
