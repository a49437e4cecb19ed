package io.sidecar;

import java.lang.reflect.Field;

/**
 * Run in a JVM of its own by {@link MainProcessTest}: applies {@link Main#nettyDefaults()} as {@code main} does, then
 * prints whether Netty's adaptive allocator came up in its low-memory mode (its {@code IS_LOW_MEM}, read once when
 * the class initialises), so the test sees what Netty did with the property and not only that it was set.
 */
public final class NettyAllocatorModeProbe {
  private NettyAllocatorModeProbe() {}

  public static void main(String[] args) throws Exception {
    Main.nettyDefaults();
    Field lowMemory = Class.forName("io.netty.buffer.AdaptivePoolingAllocator").getDeclaredField("IS_LOW_MEM");
    lowMemory.setAccessible(true);
    System.out.println(lowMemory.getBoolean(null));
  }
}
