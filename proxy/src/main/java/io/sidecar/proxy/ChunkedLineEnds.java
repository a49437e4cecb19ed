package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ByteProcessor;
import io.sidecar.proxy.http1.ChunkedBodyScanner;
import io.sidecar.proxy.http1.ResponseHeadParser;
import java.util.ArrayDeque;

/**
 * Lets the Vert.x client's HTTP/1.x connections (full path, cache fetches, health probes) read a chunked response body
 * whose own lines end in a bare LF: in front of the codec, it writes a CR before each such LF.
 *
 * <p>RFC 9112 §2.2 lets a recipient treat a bare LF as a line terminator; nginx, HAProxy and Envoy do in an upstream's
 * chunked body, and so does the byte-level path ({@link ChunkedBodyScanner}). Netty's decoder reads heads that way when
 * told to ({@link UpstreamConnectionSetup}), but a chunk-size line and the line end after a chunk's data only with
 * CRLF, whatever it is told: such a body was 502 {@code UPE} on these paths. Only the lines that frame a chunked body
 * are touched (size lines with their extensions, the line end after each chunk's data, trailer lines, the final empty
 * line): heads go on as they came, to the codec's own lenient parser, and chunk data is skipped, not looked at. A read
 * whose framing lines all end in CRLF goes on as the same buffer; a read with a bare LF to rewrite is copied, once.
 * Nothing is held back: a line end is judged by the byte before it, which came first.
 *
 * <p>Where bodies are follows from each response head (RFC 9112 §6.3), read with {@link ResponseHeadParser} as the
 * codec reads it, and from the request it answers: {@link RequestMethods}, on the other side of the codec, notes each
 * request's method as Vert.x writes it. Whatever the codec might read otherwise (a head the parser refuses or longer
 * than the codec takes, a malformed body) and whatever is no HTTP/1.x framing (a body that ends at the close, a
 * protocol switch, a tunnel) ends its work: the rest of the connection goes on untouched, for the codec to judge as it
 * did before. Requests from clients never meet it: their framing stays strict, where a proxy reading a bare LF that the
 * server behind it does not read disagrees with it on where a body ends (request smuggling).
 */
final class ChunkedLineEnds extends ChannelInboundHandlerAdapter {
  static final String NAME = "sidecar-chunked-line-ends";
  static final String METHODS = "sidecar-request-methods";
  private static final byte CR = '\r';
  /** What Netty's decoder skips before a status line (control characters and whitespace: a stray CRLF, say). */
  private static final ByteProcessor SKIPPED_BEFORE_HEAD = b -> b >= 0 && (b <= ' ' || b == 0x7f);

  /** HEAD: a response head comes next; LENGTH, CHUNKED: a body so framed; PASS: untouched to the end. */
  private enum Mode { HEAD, LENGTH, CHUNKED, PASS }

  private final ResponseHeadParser heads;
  private final ChunkedBodyScanner chunks = new ChunkedBodyScanner();
  /** The methods of the requests written and not answered yet, oldest first (a response to HEAD has no body). */
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);
  private Mode mode = Mode.HEAD;
  /** LENGTH: the body's bytes still to come. */
  private long remaining;
  /** The start of a head that came in several reads, as retained slices of them; null otherwise. */
  private CompositeByteBuf partialHead;
  /** The indices, in the read being handled, of the LFs to put a CR before. */
  private int[] bareLfs = new int[8];
  private int bareLfCount;

  ChunkedLineEnds(int maxHeadBytes) {
    heads = new ResponseHeadParser(maxHeadBytes);
  }

  /**
   * On an HTTP/1.x upstream connection whose codec is {@code codec}, configured with {@code config}: this handler
   * between the socket (or TLS) and the codec, {@link RequestMethods} between the codec and Vert.x.
   */
  static void install(ChannelPipeline pipeline, String codec, HttpDecoderConfig config) {
    if (pipeline.get(NAME) != null) return;
    ChunkedLineEnds lineEnds = new ChunkedLineEnds(maxHeadBytes(config));
    pipeline.addBefore(codec, NAME, lineEnds);
    pipeline.addAfter(codec, METHODS, lineEnds.new RequestMethods());
  }

  /**
   * The longest head the codec can accept, so that any head it reads is read here too: Netty counts a status line's
   * bytes and the header lines' bytes up to {@code maxHeaderSize} without their line ends, and a header line has at
   * least one byte, so each of up to {@code maxHeaderSize} lines adds at most a CRLF.
   */
  static int maxHeadBytes(HttpDecoderConfig config) {
    long max = config.getMaxInitialLineLength() + 2L + 3L * config.getMaxHeaderSize() + 2;
    return (int) Math.min(Integer.MAX_VALUE, max);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (mode == Mode.PASS || !(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    int start = in.readerIndex();
    bareLfCount = 0;
    while (in.isReadable() && mode != Mode.PASS) {
      switch (mode) {
        case HEAD -> head(ctx, in);
        case LENGTH -> length(in);
        default -> chunks(in);
      }
    }
    in.readerIndex(start);
    ctx.fireChannelRead(bareLfCount == 0 ? in : withCrs(ctx, in));
  }

  /** A response head from the reader index on, which may have begun in earlier reads. */
  private void head(ChannelHandlerContext ctx, ByteBuf in) {
    if (partialHead == null) {
      int first = in.forEachByte(SKIPPED_BEFORE_HEAD);
      if (first < 0) {
        in.skipBytes(in.readableBytes());
        return;
      }
      in.readerIndex(first);
    }
    int before = 0;
    ByteBuf whole = in;
    if (partialHead != null) {
      before = partialHead.readableBytes();
      partialHead.addComponent(true, in.retainedSlice());
      whole = partialHead;
    }
    switch (heads.parse(whole)) {
      case COMPLETE -> {
        in.skipBytes(heads.headLength() - before);
        releasePartialHead();
        afterHead();
      }
      case INCOMPLETE -> {
        if (partialHead == null) {
          partialHead = ctx.alloc().compositeBuffer();
          partialHead.addComponent(true, in.retainedSlice());
        }
        in.skipBytes(in.readableBytes());
      }
      default -> pass(); // malformed, or longer than the codec takes
    }
  }

  /** What follows a head just read (RFC 9112 §6.3). */
  private void afterHead() {
    int status = heads.status();
    if (status == 101) {
      pass(); // another protocol from the next byte on (RFC 9110 §15.2.2)
      return;
    }
    if (status < 200) return; // interim: the final response to the same request follows (RFC 9110 §15.2)
    HttpMethod method = methods.poll();
    if (HttpMethod.CONNECT.equals(method) && status < 300) {
      pass(); // §6.3 item 2: a tunnel
    } else if (HttpMethod.HEAD.equals(method) || status == 204 || status == 304) {
      mode = Mode.HEAD; // item 1: no body, whatever the head says
    } else if (heads.chunked()) {
      chunks.reset(); // item 4: the final transfer coding is chunked
      mode = Mode.CHUNKED;
    } else if (heads.contentLength() >= 0) {
      remaining = heads.contentLength(); // item 6
      mode = remaining == 0 ? Mode.HEAD : Mode.LENGTH;
    } else {
      pass(); // items 4 and 8: the body ends when the connection does, and has no lines
    }
  }

  private void length(ByteBuf in) {
    int n = (int) Math.min(remaining, in.readableBytes());
    in.skipBytes(n);
    remaining -= n;
    if (remaining == 0) mode = Mode.HEAD;
  }

  private void chunks(ByteBuf in) {
    int n = chunks.scan(in);
    // Also those before a malformed byte: what the codec gets then does not depend on where the reads split the body.
    for (int i = 0; i < chunks.bareLineEnds(); i++) noteBareLf(chunks.bareLineEnd(i));
    if (n < 0) {
      pass();
      return;
    }
    in.skipBytes(n);
    if (chunks.done()) mode = Mode.HEAD;
  }

  private void noteBareLf(int index) {
    if (bareLfCount == bareLfs.length) bareLfs = java.util.Arrays.copyOf(bareLfs, bareLfCount * 2);
    bareLfs[bareLfCount++] = index;
  }

  /** {@code in}'s readable bytes with a CR before each noted LF, in a new buffer; {@code in} is released. */
  private ByteBuf withCrs(ChannelHandlerContext ctx, ByteBuf in) {
    ByteBuf out = ctx.alloc().buffer(in.readableBytes() + bareLfCount);
    int from = in.readerIndex();
    for (int i = 0; i < bareLfCount; i++) {
      int lf = bareLfs[i];
      out.writeBytes(in, from, lf - from).writeByte(CR);
      from = lf;
    }
    out.writeBytes(in, from, in.writerIndex() - from);
    in.release();
    return out;
  }

  /** From here on the codec gets the bytes as they come, and judges them as it did without this handler. */
  private void pass() {
    mode = Mode.PASS;
    methods.clear();
    releasePartialHead();
  }

  private void releasePartialHead() {
    if (partialHead != null) {
      partialHead.release();
      partialHead = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releasePartialHead();
  }

  /**
   * Notes each request's method as Vert.x writes it, as an {@link HttpRequest}, on the tail side of the codec, which
   * encodes it. Vert.x's client does not pipeline requests, but the queue would keep them in step if it did.
   */
  final class RequestMethods extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpRequest request && mode != Mode.PASS) methods.add(request.method());
      ctx.write(msg, promise);
    }
  }
}
