package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrpcLocalReplyTest {
  @Test
  void httpStatusesMapAsGrpcDocumentsThem() {
    assertThat(GrpcLocalReply.grpcStatus(400)).isEqualTo(13); // INTERNAL
    assertThat(GrpcLocalReply.grpcStatus(401)).isEqualTo(16); // UNAUTHENTICATED
    assertThat(GrpcLocalReply.grpcStatus(403)).isEqualTo(7);  // PERMISSION_DENIED
    assertThat(GrpcLocalReply.grpcStatus(404)).isEqualTo(12); // UNIMPLEMENTED
    for (int status : new int[] {429, 502, 503, 504}) {
      assertThat(GrpcLocalReply.grpcStatus(status)).isEqualTo(14); // UNAVAILABLE
    }
    assertThat(GrpcLocalReply.grpcStatus(413)).isEqualTo(2); // UNKNOWN
    assertThat(GrpcLocalReply.grpcStatus(500)).isEqualTo(2);
  }

  @Test
  void grpcMessageIsPercentEncodedUtf8() {
    assertThat(GrpcLocalReply.percentEncoded("upstream timeout: route 2000ms")).isEqualTo("upstream timeout: route 2000ms");
    assertThat(GrpcLocalReply.percentEncoded("100% café\n")).isEqualTo("100%25 caf%C3%A9%0A");
  }
}
