package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {
  @Test
  void copiesOnlyEndToEndFields() {
    MultiMap source = HttpHeaders.headers()
        .add("Connection", "keep-alive").add("Keep-Alive", "timeout=5").add("TE", "trailers")
        .add("Transfer-Encoding", "chunked").add("Upgrade", "h2c").add("Proxy-Connection", "keep-alive")
        .add("Accept", "text/html").add("Set-Cookie", "a=1").add("Set-Cookie", "b=2");
    MultiMap target = HttpHeaders.headers();
    HopByHopHeaders.copyEndToEnd(source, target);
    assertThat(target.names()).containsExactlyInAnyOrder("Accept", "Set-Cookie");
    assertThat(target.getAll("set-cookie")).containsExactly("a=1", "b=2");
  }

  @Test
  void dropsTheFieldsConnectionNames() {
    MultiMap source = HttpHeaders.headers()
        .add("connection", "close, X-Private , x-other").add("x-private", "1").add("X-Other", "2").add("x-kept", "3");
    MultiMap target = HttpHeaders.headers();
    HopByHopHeaders.copyEndToEnd(source, target);
    assertThat(target.names()).containsExactly("x-kept");
  }

  @Test
  void contentLengthStaysWhenConnectionNamesIt() {
    // RFC 9110 §7.6.1: Content-Length is for every recipient; dropping it would leave the forwarded body unframed
    MultiMap source = HttpHeaders.headers()
        .add("Connection", "close, Content-Length, x-private").add("Content-Length", "5").add("x-private", "1");
    MultiMap target = HttpHeaders.headers();
    HopByHopHeaders.copyEndToEnd(source, target);
    assertThat(target.names()).containsExactly("Content-Length");
    assertThat(target.get("content-length")).isEqualTo("5");
  }

  @Test
  void listElementsAreFoundWithoutCaseOrParameters() {
    assertThat(HopByHopHeaders.listHas("deflate, Trailers;q=0.5", "trailers")).isTrue();
    assertThat(HopByHopHeaders.listHas(" keep-alive , CLOSE", "close")).isTrue();
    assertThat(HopByHopHeaders.listHas("x-trailers, closed", "trailers")).isFalse();
    assertThat(HopByHopHeaders.listHas(null, "close")).isFalse();
  }
}
