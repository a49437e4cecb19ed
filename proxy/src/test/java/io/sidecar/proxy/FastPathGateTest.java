package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When the gate gives a connection back to the byte-level path: a pipeline shaped like Vert.x's (byte-level
 * handler, Netty's decoder and encoder, the gate, a handler standing in for Vert.x that answers each request).
 */
class FastPathGateTest {
  private final List<String> answered = new ArrayList<>();
  private String closeOn = "";
  private boolean interimFirst;
  /** Answer when the head arrives, before the body is read (as an early 413 or a cache hit may). */
  private boolean answerAtHead;
  private final FastPathConnection fastPath =
      new FastPathConnection(new FastPath.Listener(null, "in", 1 << 20, 8192, null, true, "http"));
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final HttpRequestDecoder decoder = new HttpRequestDecoder();
  private final FastPathGate gate = new FastPathGate(fastPath, decoder);

  FastPathGateTest() {
    channel.pipeline().addLast("sidecarFastPath", fastPath);
    channel.pipeline().addLast("httpDecoder", decoder);
    channel.pipeline().addLast("httpEncoder", new HttpResponseEncoder());
    channel.pipeline().addLast("handler", new Answering());
    channel.pipeline().addBefore("handler", FastPathGate.NAME, gate);
    fastPath.gate(gate);
    gate.arm(); // as after a hand-over
  }

  /**
   * Answers like Vert.x: a malformed request at once with 400, any other once it is read to its end with 200
   * (or, with {@code answerAtHead}, as soon as its head is read).
   */
  private final class Answering extends ChannelInboundHandlerAdapter {
    private HttpRequest request;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest r) request = r;
      boolean bad = request.decoderResult().isFailure()
          || msg instanceof DecoderResultProvider decoded && decoded.decoderResult().isFailure();
      if (answerAtHead ? msg instanceof HttpRequest : msg instanceof LastHttpContent || bad) {
        answered.add(bad ? "bad" : request.uri());
        if (request.uri().equals("/upgrade")) {
          ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
          ReferenceCountUtil.release(msg);
          return;
        }
        if (interimFirst) {
          ctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            bad ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        // Vert.x also says close after a bad request; without it the gate must still not give the connection back
        if (request.uri().equals(closeOn)) response.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response);
      }
      ReferenceCountUtil.release(msg);
    }
  }

  private void receive(String bytes) {
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
  }

  private boolean gateGone() {
    return channel.pipeline().get(FastPathGate.NAME) == null;
  }

  /** Neither the byte-level handler nor the gate is left: the connection is Vert.x's until it closes. */
  private void assertLeftToVertxForGood() {
    assertThat(fastPath.isOpen()).isFalse();
    assertThat(gateGone()).isTrue();
    assertThat(channel.pipeline().get("sidecarFastPath")).isNull();
  }

  @Test
  void opensOnceEveryRequestIsAnsweredAndTheDecoderHoldsNothing() {
    receive("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(answered).containsExactly("/a");
    assertThat(fastPath.isOpen()).isTrue();
    assertThat(gate.armed()).isFalse(); // it stays, disarmed, for the next hand-over
    assertThat(gateGone()).isFalse();
  }

  @Test
  void staysShutWhileTheDecoderHoldsPartOfANextRequest() {
    receive("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nX-Cut: ");
    assertThat(answered).containsExactly("/a");
    assertThat(fastPath.isOpen()).isFalse();
    receive("v\r\nHost: x\r\n\r\n"); // the rest goes through the shut byte-level handler to the decoder
    assertThat(answered).containsExactly("/a", "/b");
    assertThat(fastPath.isOpen()).isTrue();
  }

  @Test
  void staysShutUntilABodyIsReadToItsEnd() {
    answerAtHead = true;
    receive("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n");
    assertThat(answered).containsExactly("/a"); // answered, and the decoder holds nothing, but the body is to come
    assertThat(fastPath.isOpen()).isFalse();
    receive("ab");
    assertThat(fastPath.isOpen()).isFalse();
    receive("cd");
    assertThat(answered).containsExactly("/a");
    assertThat(fastPath.isOpen()).isTrue();
  }

  @Test
  void anInterimResponseIsNotTheAnswer() {
    interimFirst = true;
    receive("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(fastPath.isOpen()).isTrue(); // opened by the 200, and only once
    assertThat(gate.armed()).isFalse();
  }

  @Test
  void neverGivesBackAConnectionWhoseRequestAskedForClose() {
    receive("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertLeftToVertxForGood();
  }

  @Test
  void neverGivesBackAConnectionWhoseResponseEndsIt() {
    closeOn = "/a";
    receive("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    assertLeftToVertxForGood();
  }

  @Test
  void neverGivesBackAConnectionAfterAMalformedRequest() {
    receive("GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
    assertThat(answered).containsExactly("bad");
    assertThat(fastPath.isOpen()).isFalse();
    receive("GET /b HTTP/1.1\r\nHost: x\r\n\r\n"); // the decoder discards what follows; nothing opens
    assertThat(answered).containsExactly("bad");
    assertThat(fastPath.isOpen()).isFalse();
  }

  @Test
  void neverGivesBackAConnectionAfterAMalformedBody() {
    receive("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    assertThat(answered).containsExactly("bad");
    assertLeftToVertxForGood();
  }

  @Test
  void anUpgradeLeavesTheConnectionToVertxForGood() {
    receive("GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n");
    assertLeftToVertxForGood();
  }

  @Test
  void anHttp10RequestWithoutKeepAliveEndsTheConnection() {
    receive("GET /a HTTP/1.0\r\n\r\n");
    assertLeftToVertxForGood();
  }
}
