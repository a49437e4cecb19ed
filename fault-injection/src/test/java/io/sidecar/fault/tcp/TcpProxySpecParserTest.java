package io.sidecar.fault.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.fault.parse.FieldError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TcpProxySpecParserTest {

  @Test
  void parsesProxyWithToxicsInToxiproxyShape() {
    TcpProxySpec s = TcpProxySpecParser.parseProxy(Map.of("name", "redis", "listen", "127.0.0.1:26379",
        "upstream", "127.0.0.1:6379", "toxics", List.of(
            Map.of("type", "latency", "stream", "upstream", "toxicity", 0.5, "attributes", Map.of("latency", "1s", "jitter", 100)),
            Map.of("name", "cut", "type", "limit_data", "attributes", Map.of("bytes", "1KiB")),
            Map.of("type", "bandwidth", "percent", 25, "attributes", Map.of("rate", 64)))), "tcp_proxies[0]").orThrow();
    assertThat(s.listenPort()).isEqualTo(26379);
    assertThat(s.upstreamHost()).isEqualTo("127.0.0.1");
    ToxicSpec lat = s.toxics().get(0);
    assertThat(lat.name()).isEqualTo("latency_upstream");
    assertThat(lat.latency()).isEqualTo(Duration.ofSeconds(1));
    assertThat(lat.jitter()).isEqualTo(Duration.ofMillis(100));
    assertThat(lat.toxicity()).isEqualTo(0.5);
    assertThat(s.toxics().get(1).stream()).isEqualTo(ToxicStream.DOWNSTREAM);
    assertThat(s.toxics().get(1).bytes()).isEqualTo(1024);
    assertThat(s.toxics().get(2).rateBytesPerSecond()).isEqualTo(64 * 1024);
    assertThat(s.toxics().get(2).toxicity()).isEqualTo(0.25);
  }

  @Test
  void errorsNameTheField() {
    var r = TcpProxySpecParser.parseProxies(List.of(Map.of("name", "p", "listen", "127.0.0.1", "upstream", "h:70000",
        "toxics", List.of(Map.of("type", "gremlin"), Map.of("type", "latency", "stream", "sideways", "toxicity", 2,
            "attributes", Map.of("latency", "-1ms"))))), "tcp_proxies");
    assertThat(r.errors()).extracting(FieldError::path).containsExactlyInAnyOrder(
        "tcp_proxies[0].listen", "tcp_proxies[0].upstream", "tcp_proxies[0].toxics[0].type",
        "tcp_proxies[0].toxics[1].stream", "tcp_proxies[0].toxics[1].toxicity",
        "tcp_proxies[0].toxics[1].attributes.latency");
  }
}
