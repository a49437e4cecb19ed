package io.sidecar.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** What an {@link Origin} sends: the client's fields plus the cache's validators. */
class OriginRequestHeadersTest {

  private static CacheRequest request(MultiMap headers) {
    return new CacheRequest("GET", "http", "example.com", "/a", headers);
  }

  @Test
  void clientFieldsSurviveWhenTheCacheAddsNothing() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("Accept", "text/html").add("Foo", "1");
    MultiMap sent = Origin.requestHeaders(request(client), MultiMap.caseInsensitiveMultiMap());
    assertThat(sent.get("Accept")).isEqualTo("text/html");
    assertThat(sent.get("Foo")).isEqualTo("1");
  }

  @Test
  void cacheValidatorsAreAddedAndReplaceSameNamedFieldsOnly() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("Accept", "text/html").add("If-None-Match", "\"x\"");
    MultiMap extra = MultiMap.caseInsensitiveMultiMap().add("If-None-Match", "\"v1\"")
        .add("If-Modified-Since", "Wed, 01 Jan 2020 00:00:00 GMT");
    MultiMap sent = Origin.requestHeaders(request(client), extra);
    assertThat(sent.getAll("If-None-Match")).containsExactly("\"v1\"");
    assertThat(sent.get("If-Modified-Since")).isEqualTo("Wed, 01 Jan 2020 00:00:00 GMT");
    assertThat(sent.get("Accept")).isEqualTo("text/html");
    assertThat(client.get("If-None-Match")).isEqualTo("\"x\""); // the request itself is not modified
  }
}
