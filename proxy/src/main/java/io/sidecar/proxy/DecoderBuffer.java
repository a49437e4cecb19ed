package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.lang.reflect.Method;

/**
 * Whether Netty's HTTP decoder holds bytes it has not made a message of yet: the start of a next request head, or
 * of a body's chunk-size line. It keeps them in a buffer only its subclasses may see, read here by reflection.
 */
final class DecoderBuffer {
  private static final Method INTERNAL_BUFFER = internalBufferMethod();

  private DecoderBuffer() {}

  /** Whether {@link #holdsBytes} can tell for {@code decoder}. */
  static boolean inspectable(ChannelHandler decoder) {
    return INTERNAL_BUFFER != null && decoder instanceof ByteToMessageDecoder;
  }

  /** Whether {@code decoder} holds unread bytes; true when it cannot be told (ask {@link #inspectable} first). */
  static boolean holdsBytes(ChannelHandler decoder) {
    if (!inspectable(decoder)) return true;
    try {
      ByteBuf pending = (ByteBuf) INTERNAL_BUFFER.invoke(decoder);
      return pending != null && pending.isReadable();
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  private static Method internalBufferMethod() {
    try {
      Method m = ByteToMessageDecoder.class.getDeclaredMethod("internalBuffer");
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // the fast path's gate never opens (every request takes the full path); no later head is timed
    }
  }
}
