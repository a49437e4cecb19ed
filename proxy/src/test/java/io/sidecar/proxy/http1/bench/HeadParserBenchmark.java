package io.sidecar.proxy.http1.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sidecar.proxy.http1.RequestHeadParser;
import io.sidecar.proxy.http1.ResponseHeadParser;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Cost of parsing the heads the byte-level path sees in loadtest/bench: nginx's response head for a 1 KiB static
 * file (11 fields, followed by its body in the same buffer, as it arrives) and wrk's request head. Both sit in a
 * direct buffer from Netty's default allocator, as read from a socket. Run: see loadtest/README.md ("Head parsing").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.allocator.lowMemory=false"})
public class HeadParserBenchmark {
  static final String NGINX_RESPONSE = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
      + "Date: Sun, 06 Dec 2026 22:55:30 GMT\r\nContent-Type: text/plain\r\nContent-Length: 1024\r\n"
      + "Last-Modified: Sun, 06 Dec 2026 22:55:28 GMT\r\nConnection: keep-alive\r\nETag: \"6b15e7e0-400\"\r\n"
      + "Expires: Sun, 06 Dec 2026 23:55:30 GMT\r\nCache-Control: max-age=3600\r\nAccept-Ranges: bytes\r\n\r\n";
  static final String WRK_REQUEST = "GET /1k HTTP/1.1\r\nHost: 127.0.0.1:27100\r\n\r\n";

  private final ResponseHeadParser response = new ResponseHeadParser(64 * 1024);
  private final RequestHeadParser request = new RequestHeadParser(8192);
  private ByteBuf responseBuf;
  private ByteBuf requestBuf;

  @Setup
  public void setUp() {
    responseBuf = direct(NGINX_RESPONSE + "a".repeat(1024));
    requestBuf = direct(WRK_REQUEST);
  }

  private static ByteBuf direct(String s) {
    ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(s.length());
    buf.writeCharSequence(s, StandardCharsets.ISO_8859_1);
    return buf;
  }

  @TearDown
  public void tearDown() {
    responseBuf.release();
    requestBuf.release();
  }

  @Benchmark
  public int nginxResponseHead() {
    if (response.parse(responseBuf) != ResponseHeadParser.Result.COMPLETE) throw new AssertionError();
    return response.headLength();
  }

  @Benchmark
  public int wrkRequestHead() {
    if (request.parse(requestBuf) != RequestHeadParser.Result.SIMPLE) throw new AssertionError();
    return request.headLength();
  }

  public static void main(String[] args) throws Exception {
    new Runner(new OptionsBuilder().include(HeadParserBenchmark.class.getSimpleName()).build()).run();
  }
}
