package io.sidecar.proxy;

import io.netty.util.AttributeKey;
import io.sidecar.fault.FaultDecision;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * A fault the byte-level path decided for a request it then handed to the full path (which injects faults). The
 * full path takes this decision, and the split target it was made for, instead of drawing again: a second draw
 * would make a 30 % fault fire on 9 % of those requests. Kept on the connection for its next request only.
 */
record PinnedFault(RoutingSnapshot.CompiledRoute route, RoutingSnapshot.SplitTarget target, FaultDecision decision) {
  private static final AttributeKey<PinnedFault> KEY = AttributeKey.valueOf("sidecar.pinned-fault");

  void pin(io.netty.channel.Channel channel) {
    channel.attr(KEY).set(this);
  }

  /** The decision pinned for this request's connection, removed; null when there is none. */
  static PinnedFault take(HttpServerRequest request) {
    if (!(request.connection() instanceof ConnectionBase connection)) return null;
    return connection.channel().attr(KEY).getAndSet(null);
  }
}
