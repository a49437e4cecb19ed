package io.sidecar.proxy.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sidecar.proxy.http1.RequestLineVersion.Verdict;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RequestLineVersionTest {
  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "HTTP/1.1 | AS_IS",
      "HTTP/1.0 | AS_IS",
      "HTTP/1.2 | LOWER_TO_1_1",
      "HTTP/1.9 | LOWER_TO_1_1",
      "HTTP/2.0 | UNSUPPORTED_MAJOR",
      "HTTP/3.0 | UNSUPPORTED_MAJOR",
      "HTTP/9.9 | UNSUPPORTED_MAJOR",
      "http/1.1 | MALFORMED",   // HTTP-name is case-sensitive
      "Http/1.1 | MALFORMED",
      "HTTP/01.1 | MALFORMED",  // one DIGIT each side
      "HTTP/1.10 | MALFORMED",
      "HTTP/1.01 | MALFORMED",
      "HTTP/1 | MALFORMED",
      "HTTP/2 | MALFORMED",
      "HTTP/0.9 | MALFORMED",
      "HTTP/1.x | MALFORMED",
      "HTTP/1,1 | MALFORMED",
      "FTP/1.1 | MALFORMED",    // another protocol's name: Vert.x answered "FTP/1.1 501"
      "HTZP/1.1 | MALFORMED",
      "x | MALFORMED",
  })
  void judgesTheVersionToken(String version, Verdict expected) {
    assertThat(RequestLineVersion.judge(bytes("GET /a HTTP-VERSION\r\nHost: a\r\n\r\n".replace("HTTP-VERSION", version))))
        .isEqualTo(expected);
  }

  @Test
  void onlyAWholeRequestLineIsJudged() {
    assertThat(RequestLineVersion.judge(bytes("GET /a HTTP/2.0"))).isEqualTo(Verdict.AS_IS); // no LF yet
    assertThat(RequestLineVersion.judge(bytes("GET /a\r\n"))).isEqualTo(Verdict.AS_IS); // HTTP/0.9: the decoder's
    assertThat(RequestLineVersion.judge(bytes("\r\n\r\nGET /a HTTP/2.0\r\n\r\n"))).isEqualTo(Verdict.UNSUPPORTED_MAJOR);
    assertThat(RequestLineVersion.judge(bytes("GET /a HTTP/3.0\n\n"))).isEqualTo(Verdict.UNSUPPORTED_MAJOR); // bare LF
    assertThat(RequestLineVersion.judge(bytes("GET /a HTTP/1.1 \r\n\r\n"))).isEqualTo(Verdict.AS_IS); // trailing SP: trimmed
  }

  @Test
  void judgesTheRequestLineFromTheReaderIndexAndLeavesItThere() {
    ByteBuf buf = bytes("xxxxGET /a HTTP/2.0\r\n\r\n");
    buf.skipBytes(4);
    assertThat(RequestLineVersion.judge(buf)).isEqualTo(Verdict.UNSUPPORTED_MAJOR);
    assertThat(buf.readerIndex()).isEqualTo(4);
  }

  @Test
  void lowersAHigherMinorVersionToHttp11InPlaceAndNothingElse() {
    ByteBuf buf = bytes("GET /a?q=HTTP/1.2 HTTP/1.2\r\nHost: a\r\n\r\n");
    assertThat(RequestLineVersion.judge(buf)).isEqualTo(Verdict.LOWER_TO_1_1);
    assertThat(buf.toString(StandardCharsets.ISO_8859_1)).isEqualTo("GET /a?q=HTTP/1.2 HTTP/1.1\r\nHost: a\r\n\r\n");
    ByteBuf other = bytes("GET /a HTTP/2.0\r\n\r\n");
    assertThat(RequestLineVersion.judge(other)).isEqualTo(Verdict.UNSUPPORTED_MAJOR);
    assertThat(other.toString(StandardCharsets.ISO_8859_1)).isEqualTo("GET /a HTTP/2.0\r\n\r\n");
  }
}
