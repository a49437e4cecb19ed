package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP/2 side of the listeners, frame by frame on a real h2c connection ({@link H2Wire}): what the server
 * announces and how it treats streams the client gives up on. Found by running h2spec against the sidecar.
 */
@Timeout(60)
class Http2ListenerTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  /**
   * server.max_header_size bounds HTTP/2 request heads as it bounds HTTP/1.x ones: announced as
   * SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2), a 20 KB field passes under a 32 KiB limit, and a head over it
   * gets 431. Vert.x's default (8 KiB) answered 431 to the 20 KB field that HTTP/1.1 passed.
   */
  @Test
  void http2RequestHeadsHaveTheListenersHeaderSizeLimit() throws Exception {
    int upstream = await(h.vertx.createHttpServer(new HttpServerOptions().setMaxHeaderSize(256 * 1024))
        .requestHandler(req -> req.response().end("x-big " + req.getHeader("x-big").length()))
        .listen(0, "127.0.0.1")).actualPort();
    h.start(1, """
        server: { max_header_size: 32KiB }
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));

    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      assertThat(wire.serverSettings).containsEntry(H2Wire.SETTINGS_MAX_HEADER_LIST_SIZE, 32L * 1024);

      wire.headers(1, H2Wire.get("/", h.proxyPort).add("x-big", "b".repeat(20_000)), true);
      Http2Headers passed = wire.responseHeaders(1);
      assertThat(passed.status().toString()).isEqualTo("200");
      assertThat(wire.body(1)).isEqualTo("x-big 20000");

      wire.headers(3, H2Wire.get("/", h.proxyPort).add("x-big", "b".repeat(36_000)), true);
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("431");
    }
  }
}
