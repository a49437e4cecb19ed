package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class UpstreamResendTest {
  private static final HttpClosedException CLOSED = new HttpClosedException("Connection was closed");
  private static final StreamResetException REFUSED = new StreamResetException(UpstreamResend.REFUSED_STREAM);

  private static UpstreamResend.Sent http1(String method, boolean hasBody, boolean keptAlive) {
    return new UpstreamResend.Sent(method, hasBody, false, keptAlive, -1);
  }

  private static UpstreamResend.Sent h2(String method, boolean hasBody, boolean bodyReplayable, int streamId) {
    return new UpstreamResend.Sent(method, hasBody, bodyReplayable, false, streamId);
  }

  private static HttpClosedException goAway(int lastStreamId) {
    return new HttpClosedException(new GoAway().setErrorCode(0).setLastStreamId(lastStreamId));
  }

  @Test
  void aKeptAliveConnectionClosedUnderAnIdempotentBodilessRequestSendsItAgain() {
    assertThat(UpstreamResend.allowed(http1("GET", false, true), 0, CLOSED)).isTrue();
    assertThat(UpstreamResend.allowed(http1("DELETE", false, true), 0, CLOSED)).isTrue();
    assertThat(UpstreamResend.allowed(http1("GET", false, false), 0, CLOSED)).as("a new connection").isFalse();
    assertThat(UpstreamResend.allowed(http1("POST", false, true), 0, CLOSED)).as("not idempotent").isFalse();
    assertThat(UpstreamResend.allowed(http1("PUT", true, true), 0, CLOSED)).as("a body").isFalse();
    assertThat(UpstreamResend.allowed(http1("GET", false, true), 0, new ConnectException())).isFalse();
    assertThat(UpstreamResend.allowed(http1("GET", false, true), 0, new StreamResetException(0x8))).isFalse();
  }

  @Test
  void aStreamTheUpstreamDidNotProcessGoesAgainWhateverTheMethod() {
    assertThat(UpstreamResend.allowed(h2("POST", false, false, 5), 0, REFUSED)).isTrue();
    assertThat(UpstreamResend.allowed(h2("POST", false, false, 5), 0, goAway(3))).isTrue();
    assertThat(UpstreamResend.allowed(h2("PATCH", true, true, 5), 0, REFUSED)).as("a body held whole").isTrue();
    assertThat(UpstreamResend.allowed(h2("PATCH", true, false, 5), 0, REFUSED)).as("a streamed body").isFalse();
    assertThat(UpstreamResend.allowed(h2("POST", false, false, 5), 0, goAway(5))).as("processed").isFalse();
    assertThat(UpstreamResend.allowed(h2("POST", false, false, 5), 0, new StreamResetException(0x2))).isFalse();
  }

  @Test
  void aStreamTheGoAwayCoversIsAKeptAliveCloseLikeAnyOther() {
    UpstreamResend.Sent get = new UpstreamResend.Sent("GET", false, false, true, 5);
    assertThat(UpstreamResend.allowed(get, 0, goAway(7))).isTrue();
  }

  @Test
  void onlyThreeTimes() {
    assertThat(UpstreamResend.allowed(h2("GET", false, false, 5), UpstreamResend.MAX_RESENDS - 1, REFUSED)).isTrue();
    assertThat(UpstreamResend.allowed(h2("GET", false, false, 5), UpstreamResend.MAX_RESENDS, REFUSED)).isFalse();
    assertThat(UpstreamResend.allowed(http1("GET", false, true), UpstreamResend.MAX_RESENDS, CLOSED)).isFalse();
  }
}
