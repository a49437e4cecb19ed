package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A request deadline fires on the context that set it, and a cancelled one never fires. */
class LoopTimerTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void firesOnTheCallersContext() throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Context> firedOn = new CompletableFuture<>();
    context.runOnContext(v -> LoopTimer.start(vertx, 20, () -> firedOn.complete(Vertx.currentContext())));
    assertThat(firedOn.get(5, TimeUnit.SECONDS)).isSameAs(context);
  }

  @Test
  void aCancelledTimerNeverFires() throws Exception {
    Context context = vertx.getOrCreateContext();
    AtomicBoolean fired = new AtomicBoolean();
    CompletableFuture<Void> later = new CompletableFuture<>();
    context.runOnContext(v -> {
      LoopTimer.start(vertx, 10, () -> fired.set(true)).cancel();
      // A second timer well after the first one's deadline tells when the first would have fired.
      LoopTimer.start(vertx, 200, () -> later.complete(null));
    });
    later.get(5, TimeUnit.SECONDS);
    assertThat(fired).isFalse();
  }
}
