package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.InvalidChunkTerminationException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RequestConformanceTest {
  @Test
  void http11NeedsExactlyOneValidHost() {
    assertThat(RequestConformance.hostViolation(true, List.of(), false)).contains("missing Host");
    assertThat(RequestConformance.hostViolation(true, List.of("a", "b"), false)).contains("more than one");
    assertThat(RequestConformance.hostViolation(true, List.of("a", "a"), false)).contains("more than one");
    assertThat(RequestConformance.hostViolation(true, List.of("a b"), false)).contains("invalid Host");
    assertThat(RequestConformance.hostViolation(true, List.of("a:99999"), false)).contains("invalid Host");
    assertThat(RequestConformance.hostViolation(true, List.of("a:8x"), false)).contains("invalid Host");
    assertThat(RequestConformance.hostViolation(true, List.of("u@a"), false)).contains("invalid Host");
    // Vert.x's parser throws on this one instead of refusing it
    assertThat(RequestConformance.hostViolation(true, List.of("%41bc"), false)).contains("invalid Host");
    assertThat(RequestConformance.hostViolation(true, List.of("my_service:8080"), false)).isNull();
    assertThat(RequestConformance.hostViolation(true, List.of("api.example.com:8443"), false)).isNull();
    assertThat(RequestConformance.hostViolation(true, List.of("[::1]:80"), false)).isNull();
    assertThat(RequestConformance.hostViolation(true, List.of("10.0.0.1"), false)).isNull();
    // the grammar's empty value (a target without authority) names no http(s) origin: RFC 9110 §4.2.1, nginx: 400
    assertThat(RequestConformance.hostViolation(true, List.of(""), false)).contains("empty Host");
    assertThat(RequestConformance.hostViolation(false, List.of(" "), false)).contains("empty Host");
    assertThat(RequestConformance.hostViolation(true, List.of(""), true)).as("absolute-form").isNull();
  }

  @Test
  void aTargetIsUriCharactersAndTheAsteriskIsForOptions() {
    assertThat(RequestConformance.targetViolation("/caf\u00c3\u00a9", "GET", false)).contains("above 0x7F");
    assertThat(RequestConformance.targetViolation("/caf%C3%A9", "GET", false)).isNull();
    assertThat(RequestConformance.targetViolation("/a b", "GET", false)).contains("invalid character");
    assertThat(RequestConformance.targetViolation("*", "GET", false)).contains("OPTIONS only");
    assertThat(RequestConformance.targetViolation("*", "OPTIONS", false)).isNull();
    assertThat(RequestConformance.targetViolation("*", "OPTIONS", true)).isNull();
    assertThat(RequestConformance.targetViolation("x", "GET", true)).contains(":path");
    assertThat(RequestConformance.connectViolation("example.com:443")).isSameAs(RequestConformance.CONNECT_UNSUPPORTED);
    assertThat(RequestConformance.connectViolation("[::1]:443")).isSameAs(RequestConformance.CONNECT_UNSUPPORTED);
    for (String notAuthorityForm : new String[] {"example.com", "127.0.0.1:", "/path", "[::1]", "a:b", "", null}) {
      assertThat(RequestConformance.connectViolation(notAuthorityForm)).as(notAuthorityForm).contains("authority-form");
    }
    assertThat(RequestConformance.isConnect("CONNECT")).isTrue();
    assertThat(RequestConformance.isConnect("connect")).as("methods are case-sensitive").isFalse();
  }

  @Test
  void http10MayOmitHostButNotRepeatIt() {
    assertThat(RequestConformance.hostViolation(false, List.of(), false)).isNull();
    assertThat(RequestConformance.hostViolation(false, List.of("a"), false)).isNull();
    assertThat(RequestConformance.hostViolation(false, List.of("a", "b"), false)).contains("more than one");
    assertThat(RequestConformance.hostViolation(false, List.of("a b"), false)).contains("invalid Host");
  }

  @Test
  void anAbsoluteFormTargetOverridesTheHostValueButHttp11StillNeedsTheField() {
    assertThat(RequestConformance.hostViolation(true, List.of("not a host"), true)).isNull();
    assertThat(RequestConformance.hostViolation(true, List.of(), true)).contains("missing Host");
    assertThat(RequestConformance.hostViolation(true, List.of("a", "b"), true)).contains("more than one");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "http://other.example/x?q=1       | other.example",
      "HTTP://Other.Example:8080        | Other.Example:8080",
      "https://[::1]:8443/p             | [::1]:8443",
      "http://h?q                       | h",
      "http://h#f                       | h",
      "http:///x                        | null",
      "http://user:pw@h/x               | null",
      "ftp://h/x                        | null",
      "http://h:port/x                  | null",
      "http://a b/x                     | null",
      "http://%41bc/x                   | null",
  })
  void absoluteFormAuthority(String uri, String authority) {
    assertThat(RequestConformance.isAbsoluteForm(uri)).isTrue();
    assertThat(RequestConformance.absoluteFormAuthority(uri)).isEqualTo(authority);
  }

  @Test
  void originFormAndAsteriskAreNotAbsolute() {
    assertThat(RequestConformance.isAbsoluteForm("/a/http://b")).isFalse();
    assertThat(RequestConformance.isAbsoluteForm("/")).isFalse();
    assertThat(RequestConformance.isAbsoluteForm("*")).isFalse();
    assertThat(RequestConformance.isAbsoluteForm("")).isFalse();
    assertThat(RequestConformance.isAbsoluteForm(null)).isFalse();
  }

  @Test
  void closeInsideAConnectionList() {
    assertThat(RequestConformance.listsClose("keep-alive, close")).isTrue();
    assertThat(RequestConformance.listsClose("close,x-private")).isTrue();
    assertThat(RequestConformance.listsClose(" , CLOSE ,")).isTrue();
    assertThat(RequestConformance.listsClose("keep-alive, x-close")).isFalse();
    assertThat(RequestConformance.listsClose("closed, upgrade")).isFalse();
    // a value that is only "close" Vert.x reads itself
    assertThat(RequestConformance.listsClose("close")).isFalse();
    assertThat(RequestConformance.listsClose(null)).isFalse();
  }

  @Test
  void decoderRejectionsAreMalformedBodiesAndLostConnectionsAreNot() {
    assertThat(RequestConformance.isMalformedBody(new NumberFormatException("Invalid character in chunk size"))).isTrue();
    assertThat(RequestConformance.isMalformedBody(new InvalidChunkTerminationException())).isTrue();
    assertThat(RequestConformance.isMalformedBody(new TooLongHttpHeaderException("trailers"))).isTrue();
    assertThat(RequestConformance.isMalformedBody(new IOException("Connection reset by peer"))).isFalse();
    assertThat(RequestConformance.isMalformedBody(new ClosedChannelException())).isFalse();
    assertThat(RequestConformance.isMalformedBody(new HttpClosedException("closed"))).isFalse();
    assertThat(RequestConformance.isMalformedBody(new StreamResetException(8))).isFalse();
  }
}
