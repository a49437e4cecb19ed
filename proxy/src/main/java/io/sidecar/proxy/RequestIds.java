package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code x-request-id}: the correlation id a request carries through the services it touches (Envoy's
 * {@code generate_request_id}, nginx's {@code $request_id}). A client's own id is passed on unchanged; a request
 * without one gets a random UUID (version 4, RFC 9562 §5.4) once, at the first proxy, so every hop, retry and log
 * line of it shares the same id. Not a secret: a thread-local generator is enough for uniqueness.
 */
final class RequestIds {
  static final String HEADER = "x-request-id";

  private RequestIds() {}

  static String random() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID(versionFour(random.nextLong()), ietfVariant(random.nextLong())).toString();
  }

  /** {@code x-request-id: <random UUID>\r\n} straight into a head being written (the byte-level path): no String. */
  static void writeRandomField(ByteBuf out) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = versionFour(random.nextLong());
    long lsb = ietfVariant(random.nextLong());
    // Formatted in the thread's own copy of the field and written once: one bounds check instead of one per byte
    // (36 of them), and no allocation per request (a fresh copy each time added 72 bytes to each).
    byte[] field = SCRATCH.get();
    int at = FIELD_NAME_LENGTH;
    at = hex(field, at, msb >>> 32, 8);
    field[at++] = '-';
    at = hex(field, at, msb >>> 16, 4);
    field[at++] = '-';
    at = hex(field, at, msb, 4);
    field[at++] = '-';
    at = hex(field, at, lsb >>> 48, 4);
    field[at++] = '-';
    hex(field, at, lsb, 12);
    out.writeBytes(field);
  }

  /** The field's bytes around the 36 characters of the UUID: {@code "x-request-id: "}, then them, then CRLF. */
  private static final byte[] FIELD = (HEADER + ": " + "0".repeat(36) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final int FIELD_NAME_LENGTH = HEADER.length() + 2;
  /** Per thread (the event loops): only the UUID's digits are overwritten, the name and the CRLF stay. */
  private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return FIELD.clone();
    }
  };
  private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** Writes the low {@code digits} hex digits of {@code value} at {@code at}, most significant first; returns the end. */
  private static int hex(byte[] to, int at, long value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) to[at++] = DIGITS[(int) (value >>> shift) & 0xF];
    return at;
  }

  private static long versionFour(long bits) {
    return (bits & ~0xF000L) | 0x4000L;
  }

  private static long ietfVariant(long bits) {
    return (bits & ~0xC000_0000_0000_0000L) | 0x8000_0000_0000_0000L;
  }
}
