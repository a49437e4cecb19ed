package io.sidecar.proxy.http1;

import static io.sidecar.proxy.http1.HttpBytes.skipOws;
import static io.sidecar.proxy.http1.HttpBytes.trimOwsEnd;

import io.netty.buffer.ByteBuf;

/**
 * Walks the elements of a comma-separated field value ({@code #element}, RFC 9110 §5.6.1): empty elements are
 * skipped and each element is trimmed of optional whitespace. One instance per parser, reset per field value.
 */
final class ListElements {
  private ByteBuf buf;
  private int next;
  private int end;
  private int elementStart;
  private int elementEnd;

  void reset(ByteBuf buf, int start, int end) {
    this.buf = buf;
    this.next = start;
    this.end = end;
  }

  /** Moves to the next non-empty element; false when the value has no more. */
  boolean next() {
    while (next < end) {
      int comma = buf.indexOf(next, end, (byte) ',');
      int stop = comma < 0 ? end : comma;
      int s = skipOws(buf, next, stop);
      int e = trimOwsEnd(buf, s, stop);
      next = stop + 1;
      if (s < e) {
        elementStart = s;
        elementEnd = e;
        return true;
      }
    }
    return false;
  }

  int start() {
    return elementStart;
  }

  int end() {
    return elementEnd;
  }
}
