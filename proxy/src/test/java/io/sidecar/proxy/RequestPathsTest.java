package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestPathsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      // RFC 3986 §5.4 style cases for an absolute path
      "/a/b/c/./../../g, /a/g",
      "/a/./b, /a/b",
      "/a/b/.., /a/",
      "/a/., /a/",
      "/.., /",
      "/../../etc/passwd, /etc/passwd",
      "/public/../private/x, /private/x",
      // escaped unreserved characters are decoded first, so an escaped dot is a dot (RFC 3986 §6.2.2.2)
      "/public/%2e%2e/private/x, /private/x",
      "/public/%2E./private, /private",
      "/%7Euser/%41b, /~user/Ab",
      // what stays: empty segments, reserved escapes, dots inside names
      "/a//b/./c, /a//b/c",
      "/a%2Fb/../c, /c",
  })
  void normalises(String path, String expected) {
    assertThat(RequestPaths.needsNormalizing(path)).isTrue();
    assertThat(RequestPaths.normalize(path)).isEqualTo(expected);
  }

  @Test
  void aNormalPathIsReturnedAsItIs() {
    for (String path : new String[] {"/", "/a/b", "/a/b/", "/a//b", "/.well-known/x", "/a/..b/c.", "/a.../b",
        "/a%20b", "/a%2Fb", "/a%2F..", "/%zz", "/a%2", "*"}) {
      assertThat(RequestPaths.needsNormalizing(path)).as(path).isFalse();
      assertThat(RequestPaths.normalize(path)).as(path).isSameAs(path);
    }
  }
}
