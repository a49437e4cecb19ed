package io.sidecar.proxy.http1;

import static io.sidecar.proxy.http1.HttpBytes.equalsIgnoreCase;
import static io.sidecar.proxy.http1.HttpBytes.skipOws;
import static io.sidecar.proxy.http1.HttpBytes.trimOwsEnd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * The {@code timeout} parameter of a Keep-Alive field ({@code Keep-Alive: timeout=5, max=100}, RFC 2068 §19.7.1.1, as
 * Node, Apache and Tomcat send it): how many seconds the upstream keeps an idle connection open. A value that is not
 * digits is ignored, never a reason to refuse the response.
 */
public final class KeepAliveField {
  /** Five digits, about a day: more would mean nothing to a pool whose own idle timeout is shorter. */
  private static final int MAX_TIMEOUT_DIGITS = 5;

  private KeepAliveField() {}

  /** The timeout in {@code buf[start, end)}, a field value, in seconds; -1 when it has none or not digits. */
  public static long timeoutSeconds(ByteBuf buf, int start, int end) {
    ListElements elements = new ListElements(); // the field is rare: no need to share one
    elements.reset(buf, start, end);
    while (elements.next()) {
      int s = elements.start();
      int e = elements.end();
      int eq = buf.indexOf(s, e, (byte) '=');
      if (eq < 0 || !equalsIgnoreCase(buf, s, trimOwsEnd(buf, s, eq), "timeout")) continue;
      return HttpBytes.digits(buf, skipOws(buf, eq + 1, e), e, MAX_TIMEOUT_DIGITS);
    }
    return -1;
  }

  /** As {@link #timeoutSeconds(ByteBuf, int, int)}, for a value Vert.x's decoder has made a String. */
  public static long timeoutSeconds(String value) {
    ByteBuf bytes = Unpooled.wrappedBuffer(value.getBytes(StandardCharsets.ISO_8859_1));
    return timeoutSeconds(bytes, 0, bytes.readableBytes());
  }
}
