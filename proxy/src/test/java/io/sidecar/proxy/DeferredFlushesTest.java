package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DeferredFlushesTest {

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  private static String read(EmbeddedChannel channel) {
    ByteBuf out = channel.readOutbound();
    if (out == null) return null;
    try {
      return out.toString(StandardCharsets.US_ASCII);
    } finally {
      out.release();
    }
  }

  @Test
  void onTheLoopFlushesWaitForTheEndOfThePassAndThenAllHappen() {
    EmbeddedChannel first = new EmbeddedChannel();
    EmbeddedChannel second = new EmbeddedChannel();
    first.write(bytes("a"));
    second.write(bytes("b"));
    DeferredFlushes.flush(first, first.eventLoop());
    DeferredFlushes.flush(second, second.eventLoop());
    DeferredFlushes.flush(first, first.eventLoop()); // twice in a pass: harmless
    assertThat(read(first)).as("not flushed during the pass").isNull();
    assertThat(read(second)).isNull();

    first.runPendingTasks(); // the pass is over: the loop runs its tasks
    assertThat(read(first)).isEqualTo("a");
    assertThat(read(second)).isEqualTo("b");

    // the next pass schedules again
    second.write(bytes("c"));
    DeferredFlushes.flush(second, second.eventLoop());
    assertThat(read(second)).isNull();
    second.runPendingTasks();
    assertThat(read(second)).isEqualTo("c");
    first.finishAndReleaseAll();
    second.finishAndReleaseAll();
  }

  @Test
  void offTheLoopAFlushHappensAtOnce() throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.write(bytes("x"));
    io.netty.util.concurrent.EventExecutor notThisThread = new io.netty.util.concurrent.DefaultEventExecutor();
    try {
      CompletableFuture.runAsync(() -> DeferredFlushes.flush(channel, notThisThread)).get();
      assertThat(read(channel)).isEqualTo("x");
    } finally {
      notThisThread.shutdownGracefully();
      channel.finishAndReleaseAll();
    }
  }
}
