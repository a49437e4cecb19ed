package io.sidecar.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PurgeRequestTest {

  @Test
  void parsesEveryShape() {
    assertThat(PurgeRequest.parse(Map.of("key", "HTTP://Svc.Test:80/a?b=1")))
        .isEqualTo(new PurgeRequest.Key("http://svc.test/a?b=1"));
    assertThat(PurgeRequest.parse(Map.of("key", "/a"))).isEqualTo(new PurgeRequest.Key("/a"));
    assertThat(PurgeRequest.parse(Map.of("prefix", "/p/"))).isEqualTo(new PurgeRequest.Prefix("/p/"));
    assertThat(PurgeRequest.parse(Map.of("tag", "t"))).isEqualTo(new PurgeRequest.Tag("t"));
    assertThat(PurgeRequest.parse(Map.of("glob", "/a/*"))).isInstanceOf(PurgeRequest.Glob.class);
    assertThat(PurgeRequest.parse(Map.of("all", true))).isInstanceOf(PurgeRequest.All.class);
  }

  @Test
  void matchesEntries() {
    String url = "http://svc.test/p/1?x=2";
    assertThat(PurgeRequest.parse(Map.of("key", url)).matches(url, Set.of())).isTrue();
    assertThat(PurgeRequest.parse(Map.of("key", "/p/1?x=2")).matches(url, Set.of())).isTrue();
    assertThat(PurgeRequest.parse(Map.of("key", "/p/1")).matches(url, Set.of())).isFalse();
    assertThat(PurgeRequest.parse(Map.of("prefix", "/p/")).matches(url, Set.of())).isTrue();
    assertThat(PurgeRequest.parse(Map.of("prefix", "http://svc.test/p")).matches(url, Set.of())).isTrue();
    assertThat(PurgeRequest.parse(Map.of("prefix", "http://other.test/")).matches(url, Set.of())).isFalse();
    assertThat(PurgeRequest.parse(Map.of("glob", "/p/*")).matches(url, Set.of())).isTrue();
    assertThat(PurgeRequest.parse(Map.of("glob", "/q/*")).matches(url, Set.of())).isFalse();
    assertThat(PurgeRequest.parse(Map.of("tag", "t")).matches(url, Set.of("t", "u"))).isTrue();
    assertThat(PurgeRequest.parse(Map.of("tag", "t")).matches(url, Set.of("u"))).isFalse();
  }

  @Test
  void errorsNameTheField() {
    assertField(Map.of(), "body");
    Map<String, Object> two = new LinkedHashMap<>();
    two.put("key", "/a");
    two.put("tag", "t");
    assertField(two, "body");
    assertField(Map.of("nope", "x"), "nope");
    assertField(Map.of("all", false), "all");
    assertField(Map.of("all", "true"), "all");
    assertField(Map.of("key", 5), "key");
    assertField(Map.of("key", ""), "key");
    assertField(Map.of("key", "ftp://x/y"), "key");
    assertField(Map.of("key", "http:///y"), "key");
    assertField(Map.of("prefix", "p/"), "prefix");
    assertField(Map.of("tag", "a b"), "tag");
    assertField(Map.of("glob", "/a/[b"), "glob");
    assertField(Map.of("glob", "a*"), "glob");
    assertField(Map.of("glob", "/x".repeat(2000)), "glob");
  }

  private static void assertField(Map<String, Object> body, String field) {
    assertThatThrownBy(() -> PurgeRequest.parse(body)).isInstanceOfSatisfying(InvalidPurgeException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }
}
