package io.sidecar.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestUpstreamsTest {

  @Test
  void parsesNamePortAndOptionalDelay() {
    assertThat(UpstreamSpec.parse("slow:27303:50")).isEqualTo(new UpstreamSpec("slow", 27303, Duration.ofMillis(50)));
    assertThat(UpstreamSpec.parse("fast:27301")).isEqualTo(new UpstreamSpec("fast", 27301, Duration.ZERO));
    assertThatThrownBy(() -> UpstreamSpec.parse("fast")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamSpec.parse("x:notaport")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamSpec.parse("x:70000")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamSpec.parse(":1:2")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(UpstreamSpec::parseAll).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bodySizeComesFromTheLastPathSegment() {
    assertThat(ResponseBodies.sizeOf("/1k")).isEqualTo(1024);
    assertThat(ResponseBodies.sizeOf("/cache/hot/7/100k?x=1")).isEqualTo(100 * 1024);
    assertThat(ResponseBodies.sizeOf("/64")).isEqualTo(64);
    assertThat(ResponseBodies.sizeOf("/2M")).isEqualTo(2 * 1024 * 1024);
    assertThat(ResponseBodies.sizeOf("/")).isEqualTo(ResponseBodies.DEFAULT_SIZE);
    assertThat(ResponseBodies.sizeOf("/hello")).isEqualTo(ResponseBodies.DEFAULT_SIZE);
    assertThat(ResponseBodies.sizeOf("/99999999m")).isEqualTo(ResponseBodies.MAX_SIZE);
    assertThat(new ResponseBodies().forPath("/3k")).hasSize(3 * 1024);
  }

  @Test
  void servesSizedBodiesWithItsNameAndDelaysTheSlowOne() throws Exception {
    try (TestUpstreams upstreams = TestUpstreams.start(List.of(
        new UpstreamSpec("fast", 0, Duration.ZERO), new UpstreamSpec("slow", 0, Duration.ofMillis(150))))) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<byte[]> fast = get(client, upstreams.ports().get(0), "/2k");
      assertThat(fast.statusCode()).isEqualTo(200);
      assertThat(fast.body()).hasSize(2048);
      assertThat(fast.headers().firstValue(TestUpstreams.UPSTREAM_HEADER)).contains("fast");
      assertThat(fast.headers().firstValue("cache-control")).contains("max-age=60");

      long started = System.nanoTime();
      HttpResponse<byte[]> slow = get(client, upstreams.ports().get(1), "/1k");
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertThat(slow.headers().firstValue(TestUpstreams.UPSTREAM_HEADER)).contains("slow");
      assertThat(slow.body()).hasSize(1024);
      assertThat(tookMillis).isGreaterThanOrEqualTo(150); // a lower bound only: never a timing upper bound
    }
  }

  private static HttpResponse<byte[]> get(HttpClient client, int port, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }
}
