package io.sidecar.cache.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Copies body chunks once into a direct (off-heap) buffer. Vert.x writes a direct buffer as an unreleasable
 * slice, so every hit sends the same memory without a copy; the memory is freed by the JVM's cleaner once the
 * entry is evicted and no write still references it.
 */
public final class OffHeapBodies {

  private OffHeapBodies() {
  }

  public static Buffer of(List<Buffer> chunks, int totalLength) {
    if (totalLength == 0) {
      return Buffer.buffer(0);
    }
    ByteBuffer direct = ByteBuffer.allocateDirect(totalLength);
    for (Buffer chunk : chunks) {
      ByteBuf bb = ((BufferInternal) chunk).getByteBuf();
      direct.put(bb.nioBuffer());
    }
    direct.flip();
    return BufferInternal.buffer(Unpooled.wrappedBuffer(direct));
  }

  public static Buffer of(Buffer single) {
    return of(List.of(single), single.length());
  }
}
