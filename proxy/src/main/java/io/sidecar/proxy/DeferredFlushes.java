package io.sidecar.proxy;

import io.netty.channel.ChannelOutboundInvoker;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * Flushes of the byte-level path, held until the event loop has handled every I/O event of its current pass, then
 * done together (a task runs after the pass's ready channels: Netty's {@code SingleThreadIoEventLoop} alternates
 * {@code runIo} and {@code runAllTasks}).
 *
 * <p>Why: each flush is a {@code send} that wakes the peer (the origin, or the client). On cores shared with those
 * peers, the woken peer often preempts the event loop in the middle of its pass, and every connection still
 * waiting in that pass waits for the loop to run again. Reading the whole pass first and sending at its end wakes
 * each peer once per pass rather than once per request.
 */
final class DeferredFlushes implements Runnable {
  /** Switch for A/B runs: {@code -Dsidecar.proxy.deferredFlushes=false} flushes at once, as before. */
  static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("sidecar.proxy.deferredFlushes", "true"));

  private static final FastThreadLocal<DeferredFlushes> PER_LOOP = new FastThreadLocal<>() {
    @Override
    protected DeferredFlushes initialValue() {
      return new DeferredFlushes();
    }
  };

  private final ArrayList<ChannelOutboundInvoker> pending = new ArrayList<>();
  private boolean scheduled;

  /** Flushes {@code target} at the end of the current pass of {@code loop}, the calling thread's event loop. */
  static void flush(ChannelOutboundInvoker target, EventExecutor loop) {
    if (!ENABLED || !loop.inEventLoop()) {
      target.flush();
      return;
    }
    DeferredFlushes flushes = PER_LOOP.get();
    flushes.pending.add(target);
    if (!flushes.scheduled) {
      flushes.scheduled = true;
      loop.execute(flushes);
    }
  }

  @Override
  public void run() {
    scheduled = false;
    // a flush may add to the list (a write that completes an exchange): those are flushed in this run too
    for (int i = 0; i < pending.size(); i++) {
      pending.get(i).flush();
    }
    pending.clear();
  }
}
