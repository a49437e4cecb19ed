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
    assertThat(UpstreamSpec.parse("u1:27411:20:0.3")).isEqualTo(new UpstreamSpec("u1", 27411, Duration.ofMillis(20), 0.3));
    assertThatThrownBy(() -> UpstreamSpec.parse("u1:27411:20:-1")).hasMessageContaining("sigma");
    assertThatThrownBy(() -> UpstreamSpec.parse("u1:27411:20:x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSigmaMakesTheDelayLogNormalAroundItsMedian() {
    UpstreamSpec fixed = UpstreamSpec.parse("f:0:20");
    UpstreamSpec spread = UpstreamSpec.parse("s:0:20:0.3");
    java.util.SplittableRandom random = new java.util.SplittableRandom(42);
    assertThat(fixed.sampleDelayNanos(random)).isEqualTo(20_000_000L);
    long[] samples = new long[10_001];
    for (int i = 0; i < samples.length; i++) samples[i] = spread.sampleDelayNanos(random);
    java.util.Arrays.sort(samples);
    // median 20 ms; p84 is 20·e^0.3 = 27.0 ms (one sigma); sample quantiles of 10k draws within 3 %
    assertThat(samples[5_000] / 1e6).isCloseTo(20.0, org.assertj.core.api.Assertions.within(0.6));
    assertThat(samples[8_413] / 1e6).isCloseTo(27.0, org.assertj.core.api.Assertions.within(0.8));
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
