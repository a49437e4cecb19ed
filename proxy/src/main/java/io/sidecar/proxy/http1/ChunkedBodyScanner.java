package io.sidecar.proxy.http1;

import static io.sidecar.proxy.http1.HttpBytes.CR;
import static io.sidecar.proxy.http1.HttpBytes.LF;
import static io.sidecar.proxy.http1.HttpBytes.isFieldValueByte;
import static io.sidecar.proxy.http1.HttpBytes.isOws;
import static io.sidecar.proxy.http1.HttpBytes.isTchar;

import io.netty.buffer.ByteBuf;

/**
 * Finds where a chunked body (RFC 9112 §7.1) ends, across arbitrary buffer splits, without decoding it: the
 * proxy forwards the bytes still chunked. A state machine fed with successive buffers; reusable via {@link #reset}.
 *
 * <pre>
 * chunked-body = *chunk last-chunk trailer-section CRLF
 * chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 * last-chunk   = 1*("0") [ chunk-ext ] CRLF
 * </pre>
 *
 * Upstream tolerance: every line (size line, after chunk data, trailer lines) may end in a bare LF, and
 * {@link #bareLineEnd} says where one did. A request body from a client is read {@linkplain #strict() strictly}: only
 * CRLF ends a line (RFC 9112 §2.2 lets a recipient accept a bare LF; a proxy that does, in front of a server that does
 * not, disagrees with it on where the body ends).
 */
public final class ChunkedBodyScanner {
  /** 15 hex digits are 60 bits: a chunk size that always fits a long. */
  private static final int MAX_SIZE_DIGITS = 15;
  /** Longest size line (with extensions) or trailer line. */
  private static final int MAX_LINE = 8 * 1024;

  private enum State {
    SIZE_START, SIZE, SIZE_BWS, EXTENSION, SIZE_LF,
    DATA, DATA_CR, DATA_LF,
    TRAILER_START, TRAILER_NAME, TRAILER_VALUE, TRAILER_LF, END_LF,
    DONE, ERROR
  }

  private State state;
  private long size;
  private int sizeDigits;
  private long remaining;
  private int lineLength;
  /** Whether {@link #scan} notes where chunk data lies, for a body forwarded decoded ({@link #reset(boolean)}). */
  private boolean noteData;
  private final LineSpans data = new LineSpans(4);
  /** The bare LFs ending lines in the last {@link #scan}, each as the span [lf, lf + 1). */
  private final LineSpans bareLineEnds = new LineSpans(4);
  /** Only CRLF ends a line. */
  private final boolean crlfOnly;
  /** The sum of the chunk sizes read so far, the current chunk's included. */
  private long declared;
  /** With {@code noteData}: the trailer section's lines as read, up to {@link #MAX_TRAILERS} characters; else null. */
  private StringBuilder trailers;
  private static final int MAX_TRAILERS = 64 * 1024;

  /** A scanner of upstream bodies: a bare LF ends a line too. */
  public ChunkedBodyScanner() {
    this(false);
  }

  private ChunkedBodyScanner(boolean crlfOnly) {
    this.crlfOnly = crlfOnly;
    reset();
  }

  /** A scanner of request bodies: only CRLF ends a line; anything else is malformed. */
  public static ChunkedBodyScanner strict() {
    return new ChunkedBodyScanner(true);
  }

  public void reset() {
    reset(false);
  }

  /** {@code noteData}: each {@link #scan} also notes the spans of chunk data it passed ({@link #dataSpans}). */
  public void reset(boolean noteData) {
    this.noteData = noteData;
    data.clear();
    state = State.SIZE_START;
    size = 0;
    sizeDigits = 0;
    remaining = 0;
    lineLength = 0;
    declared = 0;
    trailers = null;
  }

  /**
   * How many bytes from buf.readerIndex() belong to the chunked body, as far as they have arrived (indices
   * untouched); -1 when the framing is malformed (and on every later call). After done() the rest of buf is not
   * part of this body, and later calls return 0. Each call continues where the previous buffer ended: pass only
   * bytes not scanned before.
   */
  public int scan(ByteBuf buf) {
    data.clear();
    bareLineEnds.clear();
    if (state == State.ERROR) return -1;
    if (state == State.DONE) return 0;
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    int i = start;
    while (i < end) {
      if (state == State.DATA) {
        int n = (int) Math.min(remaining, end - i); // chunk data is skipped, not inspected
        if (noteData) data.add(i, i + n);
        i += n;
        remaining -= n;
        if (remaining == 0) state = State.DATA_CR;
        continue;
      }
      byte b = buf.getByte(i++);
      boolean trailerByte = noteData && (state == State.TRAILER_NAME || state == State.TRAILER_VALUE
          || state == State.TRAILER_LF || state == State.TRAILER_START && b != CR && b != LF);
      // Every LF step() takes ends a line (LF is no chunk-ext, token or field-value byte); after a CR the state is
      // one of the *_LF ones.
      boolean bareLf = b == LF && state != State.SIZE_LF && state != State.DATA_LF && state != State.TRAILER_LF
          && state != State.END_LF;
      if (!step(b)) {
        state = State.ERROR;
        return -1;
      }
      if (bareLf) bareLineEnds.add(i - 1, i);
      if (trailerByte) noteTrailer(b);
      if (state == State.DONE) break;
    }
    return i - start;
  }

  private void noteTrailer(byte b) {
    if (trailers == null) trailers = new StringBuilder(64);
    if (trailers.length() < MAX_TRAILERS) trailers.append((char) (b & 0xff));
  }

  /**
   * The trailer section's field lines (after {@code reset(true)}, once {@link #done}), each ended by its LF (a CR
   * before it kept), in ISO-8859-1; null when there were none. Longer than 64 KiB, it is cut there.
   */
  public String trailerSection() {
    return trailers == null ? null : trailers.toString();
  }

  /**
   * How many lines the last {@link #scan} saw end in a bare LF (never for a {@linkplain #strict() strict} scanner):
   * size lines, the line end after chunk data, trailer lines and the final empty line. After a scan that returned -1,
   * those before the malformed byte.
   */
  public int bareLineEnds() {
    return bareLineEnds.size();
  }

  /** Absolute index, in the last scanned buffer, of the bare LF {@code i} (in the order they came). */
  public int bareLineEnd(int i) {
    return bareLineEnds.start(i);
  }

  /** How many spans of chunk data the last {@link #scan} passed (noted only after {@code reset(true)}). */
  public int dataSpans() {
    return data.size();
  }

  /** Absolute index in the last scanned buffer where data span {@code i} starts. */
  public int dataStart(int i) {
    return data.start(i);
  }

  /** Absolute index where data span {@code i} ends (exclusive). */
  public int dataEnd(int i) {
    return data.end(i);
  }

  /**
   * The body's length as its chunk sizes declare it so far: the data passed, plus the rest of the chunk being read.
   * A limit on the body can be judged on it before the data comes, as nginx judges {@code client_max_body_size}.
   */
  public long declaredLength() {
    return declared;
  }

  /** Last chunk and the trailer section's terminating empty line seen. */
  public boolean done() {
    return state == State.DONE;
  }

  /** Advances by one byte outside chunk data; false when the framing is malformed. */
  private boolean step(byte b) {
    switch (state) {
      case SIZE_START:
        lineLength = 1;
        size = 0;
        sizeDigits = 0;
        state = State.SIZE;
        return hex(b) >= 0 && addDigit(hex(b));
      case SIZE:
        if (++lineLength > MAX_LINE) return false;
        if (hex(b) >= 0) return addDigit(hex(b));
        if (b == ';') {
          state = State.EXTENSION;
        } else if (isOws(b)) {
          state = State.SIZE_BWS; // BWS before ";" (RFC 9112 §7.1.1)
        } else {
          return sizeLineEnd(b);
        }
        return true;
      case SIZE_BWS:
        if (++lineLength > MAX_LINE) return false;
        if (b == ';') {
          state = State.EXTENSION;
          return true;
        }
        return isOws(b); // whitespace must lead to an extension
      case EXTENSION:
        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): skipped, only its bytes are checked.
        if (++lineLength > MAX_LINE) return false;
        if (b == CR || b == LF) return sizeLineEnd(b);
        return isFieldValueByte(b);
      case SIZE_LF:
        return b == LF && endSizeLine();
      case DATA_CR:
        if (b == CR) {
          state = State.DATA_LF;
          return true;
        }
        if (b == LF && !crlfOnly) {
          state = State.SIZE_START;
          return true;
        }
        return false;
      case DATA_LF:
        if (b != LF) return false;
        state = State.SIZE_START;
        return true;
      case TRAILER_START:
        lineLength = 1;
        if (b == LF && !crlfOnly) {
          state = State.DONE;
        } else if (b == CR) {
          state = State.END_LF;
        } else if (isTchar(b)) {
          state = State.TRAILER_NAME; // a field line (RFC 9112 §7.1.2); no obs-fold
        } else {
          return false;
        }
        return true;
      case TRAILER_NAME:
        if (++lineLength > MAX_LINE) return false;
        if (b == ':') {
          state = State.TRAILER_VALUE;
          return true;
        }
        return isTchar(b);
      case TRAILER_VALUE:
        if (++lineLength > MAX_LINE) return false;
        if (b == CR) {
          state = State.TRAILER_LF;
        } else if (b == LF && !crlfOnly) {
          state = State.TRAILER_START;
        } else {
          return isFieldValueByte(b);
        }
        return true;
      case TRAILER_LF:
        if (b != LF) return false;
        state = State.TRAILER_START;
        return true;
      case END_LF:
        if (b != LF) return false;
        state = State.DONE;
        return true;
      default:
        return false;
    }
  }

  /** HEXDIG value, or -1. */
  private static int hex(byte b) {
    if (b >= '0' && b <= '9') return b - '0';
    if (b >= 'a' && b <= 'f') return b - 'a' + 10;
    if (b >= 'A' && b <= 'F') return b - 'A' + 10;
    return -1;
  }

  private boolean addDigit(int digit) {
    if (++sizeDigits > MAX_SIZE_DIGITS) return false; // more would overflow; reject rather than wrap
    size = (size << 4) | digit;
    return true;
  }

  /** CR or LF ending the size line (anything else there is malformed). */
  private boolean sizeLineEnd(byte b) {
    if (b == CR) {
      state = State.SIZE_LF;
      return true;
    }
    return b == LF && !crlfOnly && endSizeLine();
  }

  private boolean endSizeLine() {
    declared += size;
    if (size == 0) {
      state = State.TRAILER_START; // last-chunk
    } else {
      remaining = size;
      state = State.DATA;
    }
    return true;
  }
}
