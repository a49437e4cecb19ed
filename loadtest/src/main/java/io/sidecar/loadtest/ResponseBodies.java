package io.sidecar.loadtest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Response bodies of a size named by the last path segment: {@code /1k} is 1 KiB, {@code /cached/100k} is
 * 100 KiB, {@code /64} is 64 bytes; any other path gets {@link #DEFAULT_SIZE}. Bodies are built once per size.
 */
public final class ResponseBodies {
  public static final int DEFAULT_SIZE = 1024;
  public static final int MAX_SIZE = 16 * 1024 * 1024;
  private static final Pattern SIZE = Pattern.compile("(\\d{1,8})([kKmM]?)");

  private final ConcurrentMap<Integer, byte[]> bodies = new ConcurrentHashMap<>();

  /** The body size the path asks for, capped at {@link #MAX_SIZE}. */
  public static int sizeOf(String path) {
    int q = path.indexOf('?');
    String p = q >= 0 ? path.substring(0, q) : path;
    String last = p.substring(p.lastIndexOf('/') + 1);
    Matcher m = SIZE.matcher(last);
    if (!m.matches()) return DEFAULT_SIZE;
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "k", "K" -> n *= 1024;
      case "m", "M" -> n *= 1024 * 1024;
      default -> { }
    }
    return (int) Math.min(MAX_SIZE, n);
  }

  public byte[] forPath(String path) {
    return bodies.computeIfAbsent(sizeOf(path), ResponseBodies::filled);
  }

  private static byte[] filled(int size) {
    byte[] body = new byte[size];
    byte[] pattern = "0123456789abcdefghijklmnopqrstuvwxyz\n".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < size; i++) body[i] = pattern[i % pattern.length];
    return Arrays.copyOf(body, size);
  }
}
