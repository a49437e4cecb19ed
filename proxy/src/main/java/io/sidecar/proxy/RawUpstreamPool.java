package io.sidecar.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.sidecar.config.HostPort;
import io.sidecar.config.PoolSpec;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster's keep-alive HTTP/1.1 connections for the byte-level path ({@link FastPathExchange}): plain Netty
 * channels, one pool per event loop (as {@link LoopLocalClients} does for the Vert.x client), LIFO so the warmest
 * connection serves next. {@code pool.max_connections} bounds the connections to an endpoint across all loops, as
 * Envoy's cluster-wide threshold does, rather than as an even share per loop: client connections rarely spread
 * evenly over the loops, and a fixed share made requests on the busier loop wait for a connection while the other
 * loop had some to spare (at 256 client connections the p99 tripled). A loop with no connection of its own to the
 * endpoint may always open one, so its requests never wait on connections only other loops can release; the
 * total can exceed the limit by at most the number of loops minus one. Beyond the limit requests wait in FIFO order
 * up to the loop's share of {@code pool.max_pending}, then are refused (Envoy's UO). Idle connections close after
 * {@code pool.idle_timeout}.
 *
 * <p>Everything of one loop's pool runs on that loop; only {@link #close} comes from elsewhere.
 */
final class RawUpstreamPool {
  /** What waits for a connection: exactly one of the two is called, on the loop, unless cancelled first. */
  interface Waiter {
    void ready(Channel upstream);

    void failed(ResponseFlag flag, String detail);

    /** A waiter that went away (its client disconnected) before a connection came. */
    boolean cancelled();
  }

  private final String cluster;
  private final int loops;
  private final Map<EventLoop, LoopPool> pools = new ConcurrentHashMap<>();
  /** Open connections per endpoint address, over all loops. */
  private final Map<String, AtomicInteger> openPerAddress = new ConcurrentHashMap<>();
  private volatile boolean closed;

  RawUpstreamPool(String cluster, int loops) {
    this.cluster = cluster;
    this.loops = Math.max(1, loops);
  }

  /** Hands {@code waiter} a connection to {@code address} on the calling channel's loop. */
  void acquire(Channel downstream, String address, HostPort endpoint, PoolSpec limits, Waiter waiter) {
    UpstreamEndpoint e = endpointOf(downstream, address, endpoint, waiter);
    if (e != null) e.acquire(limits, waiter);
  }

  /**
   * As {@link #acquire}, but a new connection rather than an idle one (which may have gone stale as the one it
   * replaces did), unless the limit allows none: then as {@link #acquire}.
   */
  void acquireNew(Channel downstream, String address, HostPort endpoint, PoolSpec limits, Waiter waiter) {
    UpstreamEndpoint e = endpointOf(downstream, address, endpoint, waiter);
    if (e != null) e.acquireNew(limits, waiter);
  }

  /** The calling loop's connections to {@code address}; null, with {@code waiter} failed, once the pool is closed. */
  private UpstreamEndpoint endpointOf(Channel downstream, String address, HostPort endpoint, Waiter waiter) {
    if (closed) {
      waiter.failed(ResponseFlag.UPSTREAM_CONNECT_FAILURE, "cluster " + cluster + " is shutting down");
      return null;
    }
    LoopPool pool = pools.get(downstream.eventLoop()); // get first: computeIfAbsent's capturing lambda is an object per call
    if (pool == null) pool = pools.computeIfAbsent(downstream.eventLoop(), loop -> new LoopPool(loop, downstream.getClass()));
    return pool.endpoint(address, endpoint);
  }

  /** A connection whose exchange ended cleanly: served to the next waiter or kept idle. */
  void release(Channel upstream) {
    UpstreamEndpoint endpoint = upstream.attr(FastPathUpstream.ENDPOINT).get();
    if (closed || endpoint == null || !upstream.isActive()) {
      upstream.close();
      return;
    }
    endpoint.release(upstream);
  }

  /** Closes idle connections now and every other one when its exchange ends. */
  void close() {
    closed = true;
    pools.forEach((loop, pool) -> loop.execute(pool::closeIdle));
  }

  private static int share(int total, int loops) {
    return Math.max(1, (total + loops - 1) / loops);
  }

  /** One event loop's connections, by endpoint address. */
  private final class LoopPool {
    private final Bootstrap bootstrap;
    private final Map<String, UpstreamEndpoint> endpoints = new HashMap<>();

    LoopPool(EventLoop loop, Class<? extends Channel> socketType) {
      // The downstream's own socket class: the same transport (epoll, io_uring, NIO) on the same loop.
      this.bootstrap = new Bootstrap().group(loop)
          .channelFactory(new ReflectiveChannelFactory<>(socketType))
          .option(ChannelOption.TCP_NODELAY, true);
    }

    UpstreamEndpoint endpoint(String address, HostPort hostPort) {
      UpstreamEndpoint e = endpoints.get(address);
      if (e == null) {
        e = new UpstreamEndpoint(bootstrap, address, hostPort,
            openPerAddress.computeIfAbsent(address, a -> new AtomicInteger()));
        endpoints.put(address, e);
      }
      return e;
    }

    void closeIdle() {
      endpoints.values().forEach(UpstreamEndpoint::closeIdle);
    }
  }

  /** The connections of one loop to one endpoint. */
  final class UpstreamEndpoint {
    private final Bootstrap bootstrap;
    private final String address;
    private final HostPort hostPort;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final AtomicInteger openEverywhere;
    private PoolSpec limits;
    /** Connections of this loop, open or opening. */
    private int open;

    UpstreamEndpoint(Bootstrap bootstrap, String address, HostPort hostPort, AtomicInteger openEverywhere) {
      this.bootstrap = bootstrap;
      this.address = address;
      this.hostPort = hostPort;
      this.openEverywhere = openEverywhere;
    }

    /** Whether this loop may open another connection (see the class comment). */
    private boolean mayOpen() {
      return open == 0 || openEverywhere.get() < limits.maxConnections();
    }

    void acquire(PoolSpec limits, Waiter waiter) {
      this.limits = limits;
      Channel ch;
      while ((ch = idle.pollLast()) != null) {
        if (ch.isActive()) {
          waiter.ready(ch);
          return;
        }
      }
      if (mayOpen()) {
        connect(waiter);
      } else if (limits.maxPending() < 0 || waiters.size() < share(limits.maxPending(), loops)) {
        waiters.addLast(waiter);
      } else {
        waiter.failed(ResponseFlag.UPSTREAM_OVERFLOW, "connection pool of " + address + " has "
            + waiters.size() + " requests waiting");
      }
    }

    void acquireNew(PoolSpec limits, Waiter waiter) {
      this.limits = limits;
      if (mayOpen()) connect(waiter);
      else acquire(limits, waiter);
    }

    private void connect(Waiter waiter) {
      open++;
      openEverywhere.incrementAndGet();
      int connectMillis = (int) Math.min(Integer.MAX_VALUE, limits.connectTimeout().toMillis());
      long idleNanos = limits.idleTimeout().toNanos();
      UpstreamEndpoint self = this;
      bootstrap.clone()
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.attr(FastPathUpstream.ENDPOINT).set(self);
              ch.pipeline().addLast(new FastPathUpstream(idleNanos));
            }
          })
          .connect(hostPort.host(), hostPort.port())
          .addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
              f.channel().closeFuture().addListener(c -> onClosed(f.channel()));
              if (waiter.cancelled()) release(f.channel());
              else waiter.ready(f.channel());
            } else {
              open--;
              openEverywhere.decrementAndGet();
              if (!waiter.cancelled()) {
                waiter.failed(ResponseFlag.UPSTREAM_CONNECT_FAILURE, String.valueOf(f.cause().getMessage()));
              }
              serveWaiters();
            }
          });
    }

    void release(Channel ch) {
      if (closed) {
        ch.close();
        return;
      }
      Waiter next;
      while ((next = waiters.pollFirst()) != null) {
        if (!next.cancelled()) {
          next.ready(ch);
          return;
        }
      }
      idle.addLast(ch);
    }

    private void onClosed(Channel ch) {
      open--;
      openEverywhere.decrementAndGet();
      idle.remove(ch);
      serveWaiters();
    }

    /** A connection slot came free: the first live waiter gets a new connection. */
    private void serveWaiters() {
      if (closed) {
        Waiter w;
        while ((w = waiters.pollFirst()) != null) {
          if (!w.cancelled()) w.failed(ResponseFlag.UPSTREAM_CONNECT_FAILURE, "cluster " + cluster + " is shutting down");
        }
        return;
      }
      while (!waiters.isEmpty() && mayOpen()) {
        Waiter w = waiters.pollFirst();
        if (!w.cancelled()) connect(w);
      }
    }

    void closeIdle() {
      Channel ch;
      while ((ch = idle.pollFirst()) != null) ch.close();
      serveWaiters();
    }
  }
}
