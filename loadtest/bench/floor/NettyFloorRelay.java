import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's floor, not a product: the least a JVM proxy on Netty's HTTP/1.1 codec does per request. An
 * epoll event loop per core it may use, keep-alive on both sides, a LIFO pool of upstream connections per loop,
 * X-Forwarded-For and Via added,
 * nothing else (no routing, balancing, timeouts, metrics or error handling beyond closing). bench/run.sh --floor
 * measures it beside the sidecar, so the table shows how much of the gap to nginx is the JVM and Netty's codec
 * and how much is the Vert.x HTTP API and the sidecar's own work.
 *
 *   java -Dio.netty.jfr.enabled=false -Dio.netty.allocator.lowMemory=false -cp sidecar.jar loadtest/bench/floor/NettyFloorRelay.java PORT ORIGIN_HOST:PORT
 */
public final class NettyFloorRelay {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String originHost = args[1].substring(0, args[1].lastIndexOf(':'));
    int originPort = Integer.parseInt(args[1].substring(args[1].lastIndexOf(':') + 1));
    // as many event loops as the cores this JVM may use (taskset); each keeps its own upstream connections
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), EpollIoHandler.newFactory());
    FastThreadLocal<ArrayDeque<Channel>> idle = new FastThreadLocal<>() {
      @Override
      protected ArrayDeque<Channel> initialValue() {
        return new ArrayDeque<>();
      }
    };
    Bootstrap upstreams = new Bootstrap().group(loop).channel(EpollSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new UpstreamHandler(idle));
          }
        });
    new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new DownstreamHandler(idle, upstreams, originHost, originPort));
          }
        })
        .bind("127.0.0.1", port).sync();
    System.out.println("netty floor relay on 127.0.0.1:" + port + " -> " + args[1]);
  }

  /** One client connection: each request goes to an idle upstream connection, or to a new one. */
  static final class DownstreamHandler extends ChannelInboundHandlerAdapter {
    private final FastThreadLocal<ArrayDeque<Channel>> idle;
    private final Bootstrap upstreams;
    private final String originHost;
    private final int originPort;
    private final List<Object> pending = new ArrayList<>();
    private Channel upstream;
    private boolean connecting;

    DownstreamHandler(FastThreadLocal<ArrayDeque<Channel>> idle, Bootstrap upstreams, String originHost, int originPort) {
      this.idle = idle;
      this.upstreams = upstreams;
      this.originHost = originHost;
      this.originPort = originPort;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        request.headers().set("x-forwarded-for", "127.0.0.1").add("via", "1.1 floor");
        HttpUtil.setKeepAlive(request, true);
        Channel pooled = idle.get().pollLast();
        if (pooled != null) attach(ctx.channel(), pooled);
      }
      if (upstream == null) {
        pending.add(msg);
        if (!connecting) connect(ctx.channel());
      } else if (msg instanceof LastHttpContent) {
        upstream.writeAndFlush(msg);
      } else {
        upstream.write(msg);
      }
    }

    private void connect(Channel downstream) {
      connecting = true;
      upstreams.clone(downstream.eventLoop()).connect(originHost, originPort).addListener((ChannelFutureListener) f -> {
        connecting = false;
        if (!f.isSuccess()) {
          pending.forEach(ReferenceCountUtil::release);
          pending.clear();
          downstream.close();
          return;
        }
        attach(downstream, f.channel());
        pending.forEach(upstream::write);
        pending.clear();
        upstream.flush();
      });
    }

    private void attach(Channel downstream, Channel up) {
      upstream = up;
      UpstreamHandler handler = up.pipeline().get(UpstreamHandler.class);
      handler.downstream = downstream;
      handler.owner = this;
    }

    void released() {
      upstream = null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (upstream != null) upstream.close(); // mid-exchange: that connection cannot be reused
      pending.forEach(ReferenceCountUtil::release);
      pending.clear();
    }
  }

  /** One upstream connection: relays the response, then goes back to the idle pool. */
  static final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final FastThreadLocal<ArrayDeque<Channel>> idle;
    Channel downstream;
    DownstreamHandler owner;

    UpstreamHandler(FastThreadLocal<ArrayDeque<Channel>> idle) {
      this.idle = idle;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (downstream == null || !(msg instanceof HttpObject)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof LastHttpContent) {
        downstream.writeAndFlush(msg);
        owner.released();
        downstream = null;
        owner = null;
        idle.get().addLast(ctx.channel());
      } else {
        downstream.write(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      idle.get().remove(ctx.channel());
      if (downstream != null) downstream.close();
    }
  }
}
