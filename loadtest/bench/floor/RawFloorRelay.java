import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.nio.charset.StandardCharsets;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's second floor, not a product: an HTTP/1.1 relay that never builds HTTP message objects. It finds
 * the end of each head and the message framing (Content-Length, chunked, none) in the bytes, inserts
 * X-Forwarded-For and Via into the request head, and forwards slices of the received buffers as they are, as
 * nginx and HAProxy do. An event loop per core it may use, keep-alive on both sides, a LIFO pool of upstream
 * connections per loop, one request in flight per client connection (pipelined requests wait in the buffer). No routing, timeouts,
 * metrics or validation beyond what the framing needs. bench/run.sh --floor measures it beside NettyFloorRelay:
 * the difference between the two rows is what Netty's HTTP codec costs, and this row is the most a JVM relay
 * on this machine can get without doing less work per request.
 *
 *   java -Dio.netty.jfr.enabled=false -Dio.netty.allocator.lowMemory=false -cp sidecar.jar loadtest/bench/floor/RawFloorRelay.java PORT ORIGIN_HOST:PORT [epoll|io_uring]
 */
public final class RawFloorRelay {
  private static final ByteBuf ADDED_HEADERS = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
      "X-Forwarded-For: 127.0.0.1\r\nVia: 1.1 raw-floor\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).asReadOnly());
  private static final int MAX_HEAD = 64 * 1024;

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String originHost = args[1].substring(0, args[1].lastIndexOf(':'));
    int originPort = Integer.parseInt(args[1].substring(args[1].lastIndexOf(':') + 1));
    boolean uring = args.length > 2 && args[2].equals("io_uring");
    IoHandlerFactory io = uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory();
    Class<? extends Channel> client = uring ? IoUringSocketChannel.class : EpollSocketChannel.class;
    Class<? extends ServerChannel> server = uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class;
    // as many event loops as the cores this JVM may use (taskset); each keeps its own upstream connections
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    FastThreadLocal<ArrayDeque<Channel>> idle = new FastThreadLocal<>() {
      @Override
      protected ArrayDeque<Channel> initialValue() {
        return new ArrayDeque<>();
      }
    };
    Bootstrap upstreams = new Bootstrap().group(loop).channel(client)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new UpstreamHandler(idle));
          }
        });
    new ServerBootstrap().group(loop).channel(server)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new DownstreamHandler(idle, upstreams, originHost, originPort));
          }
        })
        .bind("127.0.0.1", port).sync();
    System.out.println("raw floor relay (" + (uring ? "io_uring" : "epoll") + ") on 127.0.0.1:" + port + " -> " + args[1]);
  }

  /** What a parsed head says about the message after it. */
  static final class Head {
    int length;             // bytes of the head, blank line included
    long contentLength = -1;
    boolean chunked;
    boolean headRequest;    // request heads: the method is HEAD
    int status;             // response heads

    /** Parses the head at the buffer's reader index; false when its blank line has not arrived yet. */
    boolean parse(ByteBuf buf, boolean response) {
      contentLength = -1;
      chunked = false;
      int start = buf.readerIndex();
      int end = buf.writerIndex();
      int lineStart = start;
      boolean first = true;
      while (true) {
        int lf = buf.indexOf(lineStart, end, (byte) '\n');
        if (lf < 0) return false;
        int lineEnd = lf > lineStart && buf.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        if (first) {
          if (response) status = (buf.getByte(start + 9) - '0') * 100 + (buf.getByte(start + 10) - '0') * 10 + (buf.getByte(start + 11) - '0');
          else headRequest = buf.getByte(start) == 'H' && buf.getByte(start + 1) == 'E' && buf.getByte(start + 4) == ' ';
          first = false;
        } else if (lineEnd == lineStart) {
          length = lf + 1 - start;
          return true;
        } else {
          header(buf, lineStart, lineEnd);
        }
        lineStart = lf + 1;
      }
    }

    private void header(ByteBuf buf, int from, int to) {
      int colon = buf.indexOf(from, to, (byte) ':');
      if (colon < 0) return;
      int nameLength = colon - from;
      if (nameLength == 14 && nameIs(buf, from, "content-length")) {
        long value = 0;
        for (int i = colon + 1; i < to; i++) {
          byte b = buf.getByte(i);
          if (b >= '0' && b <= '9') value = value * 10 + (b - '0');
        }
        contentLength = value;
      } else if (nameLength == 17 && nameIs(buf, from, "transfer-encoding")) {
        chunked = true; // the floor's origin never sends another coding
      }
    }

    private static boolean nameIs(ByteBuf buf, int from, String lowerCase) {
      for (int i = 0; i < lowerCase.length(); i++) {
        if ((buf.getByte(from + i) | 0x20) != lowerCase.charAt(i)) return false;
      }
      return true;
    }
  }

  /** Finds where a message body ends: a length, chunked framing (RFC 9112 section 7.1), or nothing. */
  static final class Body {
    private enum State { DONE, LENGTH, CHUNK_SIZE, CHUNK_DATA, TRAILER }
    private State state = State.DONE;
    private long remaining;

    void start(Head head, boolean bodiless) {
      if (bodiless) state = State.DONE;
      else if (head.chunked) state = State.CHUNK_SIZE;
      else if (head.contentLength > 0) { state = State.LENGTH; remaining = head.contentLength; }
      else state = State.DONE;
    }

    boolean done() {
      return state == State.DONE;
    }

    /** How many bytes from the reader index belong to this body (as far as they have arrived). */
    int take(ByteBuf buf) {
      int at = buf.readerIndex();
      int end = buf.writerIndex();
      while (at < end && state != State.DONE) {
        switch (state) {
          case LENGTH, CHUNK_DATA -> {
            int n = (int) Math.min(remaining, end - at);
            at += n;
            remaining -= n;
            if (remaining == 0) state = state == State.LENGTH ? State.DONE : State.CHUNK_SIZE;
          }
          case CHUNK_SIZE -> {
            int lf = buf.indexOf(at, end, (byte) '\n');
            if (lf < 0) return end - buf.readerIndex(); // a partial size line: forward it, finish it next time
            long size = 0;
            boolean digits = false;
            for (int i = at; i < lf; i++) {
              int d = Character.digit(buf.getByte(i), 16);
              if (d < 0) { if (digits) break; else continue; } // skips the CRLF that ends the previous chunk
              size = size * 16 + d;
              digits = true;
            }
            at = lf + 1;
            if (!digits) continue;
            if (size == 0) state = State.TRAILER;
            else { remaining = size; state = State.CHUNK_DATA; }
          }
          case TRAILER -> {
            int lf = buf.indexOf(at, end, (byte) '\n');
            if (lf < 0) return end - buf.readerIndex();
            boolean blank = lf == at || (lf == at + 1 && buf.getByte(at) == '\r');
            at = lf + 1;
            if (blank) state = State.DONE;
          }
          default -> { }
        }
      }
      return at - buf.readerIndex();
    }
  }

  /** Cumulates reads; hands out retained slices of what has been parsed. */
  static ByteBuf cumulate(ChannelHandlerContext ctx, ByteBuf cumulation, ByteBuf in) {
    if (cumulation == null) return in;
    ByteBuf merged = ctx.alloc().buffer(cumulation.readableBytes() + in.readableBytes());
    merged.writeBytes(cumulation).writeBytes(in);
    cumulation.release();
    in.release();
    return merged;
  }

  /** One client connection: heads are parsed, re-headed and sent to an idle upstream connection or a new one. */
  static final class DownstreamHandler extends ChannelInboundHandlerAdapter {
    private final FastThreadLocal<ArrayDeque<Channel>> idle;
    private final Bootstrap upstreams;
    private final String originHost;
    private final int originPort;
    private final Head head = new Head();
    private final Body body = new Body();
    private final List<ByteBuf> pending = new ArrayList<>();
    private ChannelHandlerContext ctx;
    private ByteBuf buf;
    private boolean inBody;
    private boolean awaitingResponse;
    private Channel upstream;
    private boolean connecting;

    DownstreamHandler(FastThreadLocal<ArrayDeque<Channel>> idle, Bootstrap upstreams, String originHost, int originPort) {
      this.idle = idle;
      this.upstreams = upstreams;
      this.originHost = originHost;
      this.originPort = originPort;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      buf = cumulate(ctx, buf, (ByteBuf) msg);
      relay();
    }

    private void relay() {
      boolean wrote = false;
      while (buf != null && buf.isReadable()) {
        if (!inBody) {
          if (awaitingResponse) break; // a pipelined request waits for the response before it
          if (!head.parse(buf, false)) {
            if (buf.readableBytes() > MAX_HEAD) ctx.close();
            break;
          }
          if (upstream == null) {
            Channel pooled = idle.get().pollLast();
            if (pooled != null) attach(pooled);
            else if (!connecting) connect();
          }
          send(buf.retainedSlice(buf.readerIndex(), head.length - 2)); // the head without its blank line
          send(ADDED_HEADERS.duplicate());
          buf.skipBytes(head.length);
          body.start(head, false);
          inBody = true;
          awaitingResponse = true;
        }
        int n = body.take(buf);
        if (n > 0) send(buf.readRetainedSlice(n));
        wrote = true;
        if (body.done()) inBody = false;
        else break;
      }
      if (buf != null && !buf.isReadable()) {
        buf.release();
        buf = null;
      }
      if (wrote && upstream != null) upstream.flush();
    }

    private void send(ByteBuf slice) {
      if (upstream != null) upstream.write(slice, upstream.voidPromise());
      else pending.add(slice);
    }

    private void connect() {
      connecting = true;
      upstreams.clone(ctx.channel().eventLoop()).connect(originHost, originPort).addListener((ChannelFutureListener) f -> {
        connecting = false;
        if (!f.isSuccess()) {
          ctx.close();
          return;
        }
        attach(f.channel());
        pending.forEach(b -> upstream.write(b, upstream.voidPromise()));
        pending.clear();
        upstream.flush();
      });
    }

    private void attach(Channel up) {
      upstream = up;
      UpstreamHandler handler = (UpstreamHandler) up.pipeline().last();
      handler.downstream = ctx.channel();
      handler.owner = this;
      handler.headRequest = head.headRequest;
    }

    /** The response is complete: the upstream connection went back to the pool; serve a waiting request. */
    void responded() {
      upstream = null;
      awaitingResponse = false;
      if (buf != null) relay();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (upstream != null) upstream.close(); // mid-exchange: that connection cannot be reused
      pending.forEach(ByteBuf::release);
      pending.clear();
      if (buf != null) {
        buf.release();
        buf = null;
      }
    }
  }

  /** One upstream connection: relays the response bytes as they come, then goes back to the idle pool. */
  static final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final FastThreadLocal<ArrayDeque<Channel>> idle;
    private final Head head = new Head();
    private final Body body = new Body();
    private ByteBuf buf;
    private boolean inBody;
    Channel downstream;
    DownstreamHandler owner;
    boolean headRequest;

    UpstreamHandler(FastThreadLocal<ArrayDeque<Channel>> idle) {
      this.idle = idle;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (downstream == null) {
        ((ByteBuf) msg).release();
        return;
      }
      buf = cumulate(ctx, buf, (ByteBuf) msg);
      while (buf != null && buf.isReadable() && downstream != null) {
        if (!inBody) {
          if (!head.parse(buf, true)) break;
          downstream.write(buf.readRetainedSlice(head.length), downstream.voidPromise());
          if (head.status < 200) continue; // an interim response; the final one follows
          body.start(head, headRequest || head.status == 204 || head.status == 304);
          inBody = true;
        }
        int n = body.take(buf);
        if (n > 0) downstream.write(buf.readRetainedSlice(n), downstream.voidPromise());
        if (!body.done()) break;
        inBody = false;
        Channel client = downstream;
        DownstreamHandler done = owner;
        downstream = null;
        owner = null;
        client.flush();
        idle.get().addLast(ctx.channel());
        done.responded();
      }
      if (buf != null && !buf.isReadable()) {
        buf.release();
        buf = null;
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (downstream != null) downstream.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      idle.get().remove(ctx.channel());
      if (buf != null) {
        buf.release();
        buf = null;
      }
      if (downstream != null) downstream.close();
    }
  }
}
