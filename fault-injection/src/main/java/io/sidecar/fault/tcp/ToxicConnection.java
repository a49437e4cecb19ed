package io.sidecar.fault.tcp;

import io.netty.channel.ChannelOption;
import io.sidecar.fault.SeededRandom;
import io.sidecar.fault.vertx.PacedQueue;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/**
 * One proxied connection: the accepted downstream socket, the upstream socket, and one {@link Link}
 * per direction that applies that direction's toxics to every chunk. Everything runs on the
 * downstream socket's context.
 *
 * <p>Per chunk (Toxiproxy's pipeline, simplified to release times): timeout drops it; limit_data cuts
 * it at the byte limit and closes after it; slicer splits it; latency sets its release time to
 * now + latency + U(-jitter, +jitter); bandwidth adds length / rate per piece; release times never
 * go backwards, so bytes stay in order.
 */
final class ToxicConnection {

  private static final long HIGH_WATER_BYTES = 1 << 20;

  private final Vertx vertx;
  private final TcpProxy proxy;
  private final NetSocket downstream;
  private final SeededRandom random;
  private final Context context;
  private NetSocket upstream;
  private Link up;   // client -> upstream
  private Link down; // upstream -> client
  private boolean closed;
  // toxicity is decided once per (connection, toxic), as in Toxiproxy
  private final Map<ToxicSpec, Boolean> applies = new IdentityHashMap<>();
  private final Set<ToxicSpec> armed = Collections.newSetFromMap(new IdentityHashMap<>());

  ToxicConnection(Vertx vertx, TcpProxy proxy, NetSocket downstream, SeededRandom random) {
    this.vertx = vertx;
    this.proxy = proxy;
    this.downstream = downstream;
    this.random = random;
    this.context = vertx.getOrCreateContext();
  }

  void start(NetClient client, String host, int port) {
    downstream.pause();
    downstream.closeHandler(v -> {
      if (up != null) up.sourceEnded();
      else close(false);
    });
    downstream.exceptionHandler(e -> close(false));
    if (activeToxics(null).stream().anyMatch(t -> t.type() == ToxicType.DOWN)) {
      close(false);
      return;
    }
    client.connect(port, host).onComplete(ar -> {
      if (ar.failed() || closed) {
        if (ar.succeeded()) ar.result().close();
        close(false);
        return;
      }
      upstream = ar.result();
      up = new Link(downstream, upstream, ToxicStream.UPSTREAM);
      down = new Link(upstream, downstream, ToxicStream.DOWNSTREAM);
      upstream.closeHandler(v -> down.sourceEnded());
      upstream.exceptionHandler(e -> close(false));
      toxicsChanged0();
      downstream.resume();
    });
  }

  /** Active toxics for a stream (null = both) that apply to this connection. */
  private List<ToxicSpec> activeToxics(ToxicStream stream) {
    List<ToxicSpec> all = proxy.toxicsSnapshot();
    List<ToxicSpec> out = new ArrayList<>(all.size());
    for (ToxicSpec t : all) {
      if (stream != null && t.stream() != stream && t.type() != ToxicType.DOWN) continue;
      Boolean yes = applies.get(t);
      if (yes == null) {
        yes = t.toxicity() >= 1.0 || random.nextDouble() < t.toxicity();
        applies.put(t, yes);
      }
      if (yes) out.add(t);
    }
    return out;
  }

  void toxicsChanged() {
    context.runOnContext(v -> toxicsChanged0());
  }

  void closeFromAnyThread() {
    context.runOnContext(v -> close(false));
  }

  /** Arms the toxics that act on the connection rather than on data: down, timeout, reset_peer. */
  private void toxicsChanged0() {
    if (closed || up == null) return;
    for (ToxicSpec t : activeToxics(null)) {
      if (!armed.add(t)) continue;
      switch (t.type()) {
        case DOWN -> close(false);
        case RESET_PEER -> after(t.timeout().toNanos(), () -> {
          if (stillActive(t)) close(true);
        });
        case TIMEOUT -> {
          if (!t.timeout().isZero()) {
            after(t.timeout().toNanos(), () -> {
              if (stillActive(t)) close(false);
            });
          }
        }
        default -> { }
      }
      if (closed) return;
    }
    up.queue.addAction(0, () -> { }); // re-pump in case a removed toxic was holding data
    down.queue.addAction(0, () -> { });
  }

  private boolean stillActive(ToxicSpec t) {
    return proxy.toxicsSnapshot().contains(t);
  }

  private void after(long nanos, Runnable r) {
    if (nanos <= 0) r.run();
    else vertx.setTimer(Math.max(1, nanos / 1_000_000), id -> r.run());
  }

  /** Closes both sockets once; {@code reset} sends a TCP RST (SO_LINGER 0) instead of a FIN. */
  void close(boolean reset) {
    if (closed) return;
    closed = true;
    proxy.forget(this);
    if (up != null) up.queue.close();
    if (down != null) down.queue.close();
    closeSocket(downstream, reset);
    if (upstream != null) closeSocket(upstream, reset);
  }

  private static void closeSocket(NetSocket s, boolean reset) {
    if (reset && s instanceof NetSocketInternal internal) {
      internal.channelHandlerContext().channel().config().setOption(ChannelOption.SO_LINGER, 0);
    }
    s.close();
  }

  /** One direction: reads from {@code source}, applies the toxics, writes to {@code dest}. */
  private final class Link {
    final NetSocket source;
    final ToxicStream stream;
    final PacedQueue queue;
    long bytesThrough;
    boolean paused;
    boolean ended;

    Link(NetSocket source, NetSocket dest, ToxicStream stream) {
      this.source = source;
      this.stream = stream;
      this.queue = new PacedQueue(vertx, dest);
      queue.onDrained(() -> {
        if (paused) {
          paused = false;
          source.resume();
        }
      });
      source.handler(this::onData);
    }

    private void onData(Buffer chunk) {
      if (closed) return;
      List<ToxicSpec> toxics = activeToxics(stream);
      long now = queue.now();
      long delay = 0;
      long rate = 0;
      ToxicSpec slicer = null;
      long limit = -1;
      for (ToxicSpec t : toxics) {
        switch (t.type()) {
          case TIMEOUT -> {
            return; // data is dropped while a timeout toxic is active (Toxiproxy)
          }
          case LATENCY -> {
            long jitter = t.jitter().toNanos();
            delay += t.latency().toNanos() + (jitter == 0 ? 0 : (long) ((random.nextDouble() * 2 - 1) * jitter));
          }
          case BANDWIDTH -> rate = t.rateBytesPerSecond();
          case SLICER -> slicer = t;
          case LIMIT_DATA -> limit = limit < 0 ? t.bytes() : Math.min(limit, t.bytes());
          default -> { }
        }
      }
      boolean closeAfter = false;
      if (limit >= 0) {
        long remaining = limit - bytesThrough;
        if (remaining <= 0) {
          close(false);
          return;
        }
        if (chunk.length() >= remaining) {
          chunk = chunk.slice(0, (int) remaining);
          closeAfter = true;
        }
      }
      bytesThrough += chunk.length();
      long due = queue.addPaced(chunk, now + Math.max(0, delay), rate,
          slicer == null ? 0 : slicer.averageSize(), slicer == null ? 0 : slicer.sizeVariation(),
          slicer == null ? 0 : slicer.delay().toNanos(), random);
      if (closeAfter) queue.addAction(due, () -> close(false));
      if (queue.queuedBytes() > HIGH_WATER_BYTES && !paused) {
        paused = true;
        source.pause();
      }
    }

    /** The source closed: close the other side once queued data is out, later by slow_close. */
    void sourceEnded() {
      if (ended || closed) return;
      ended = true;
      long extra = 0;
      for (ToxicSpec t : activeToxics(stream)) {
        if (t.type() == ToxicType.SLOW_CLOSE) extra = Math.max(extra, t.delay().toNanos());
        if (t.type() == ToxicType.LATENCY) extra = Math.max(extra, t.latency().toNanos());
      }
      queue.addAction(queue.now() + extra, () -> close(false));
    }
  }
}
