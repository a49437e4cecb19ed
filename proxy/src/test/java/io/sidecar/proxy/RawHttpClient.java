package io.sidecar.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A test client socket that writes exact bytes and reads HTTP/1.1 responses off the wire (framed by Content-Length,
 * chunked, or the end of the connection), so tests see what a proxy sent, not what a client library made of it.
 */
final class RawHttpClient implements AutoCloseable {
  /** A response as read: status, fields (lower-cased names, last one wins), body bytes, trailers. */
  record Response(int status, Map<String, String> headers, byte[] content, Map<String, String> trailers, String version) {
    String header(String name) {
      return headers.get(name);
    }

    /** The body as ISO-8859-1 text: every byte is one char, so odd bytes stay visible in assertions. */
    String body() {
      return new String(content, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      return status + " " + body();
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttpClient(int port) throws IOException {
    this("127.0.0.1", port);
  }

  /** To another loopback address (127.0.0.2, ...: Linux answers the whole 127/8 range). */
  RawHttpClient(String host, int port) throws IOException {
    this(new Socket(host, port));
  }

  /** Over a socket of the caller's (a TLS one, say). */
  RawHttpClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** How long a read waits for a byte (10 s unless set): {@link #atEndOfStream} answers false after it. */
  RawHttpClient readTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
    return this;
  }

  void write(String bytes) throws IOException {
    out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  Response exchange(String request) throws IOException {
    write(request);
    return read();
  }

  /** The next response, interim (1xx) ones included; an IOException when the connection ends before one. */
  Response read() throws IOException {
    Response r = readOrNull(true);
    if (r == null) throw new IOException("connection closed before a response");
    return r;
  }

  /** The next final response (1xx skipped, but 101); null when the connection ended before one. */
  Response readFinal() throws IOException {
    return readOrNull(false);
  }

  /** A response to HEAD: status and fields, no body whatever the fields say. */
  Response readHeadOnly() throws IOException {
    String statusLine = line();
    return new Response(status(statusLine), fields(), new byte[0], Map.of(), version(statusLine));
  }

  /** Whether the server closed (or reset) the connection: nothing more arrives. False when it is still open. */
  boolean atEndOfStream() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    }
  }

  private Response readOrNull(boolean interim) throws IOException {
    while (true) {
      String statusLine = line();
      if (statusLine == null) return null;
      int status = status(statusLine);
      Map<String, String> headers = fields();
      if (status < 200) { // RFC 9110 §15.2: no content
        if (interim || status == 101) return new Response(status, headers, new byte[0], Map.of(), version(statusLine));
        continue;
      }
      byte[] body;
      Map<String, String> trailers = Map.of();
      if (status == 204 || status == 304) {
        body = new byte[0];
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
          content.write(in.readNBytes(size));
          line();
        }
        trailers = fields();
        body = content.toByteArray();
      } else if (headers.containsKey("content-length")) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      } else {
        body = in.readAllBytes();
      }
      return new Response(status, headers, body, trailers, version(statusLine));
    }
  }

  /** The HTTP-version a status line starts with. */
  private static String version(String statusLine) {
    return statusLine.split(" ")[0];
  }

  /** The code of a status line. */
  private static int status(String statusLine) throws IOException {
    if (statusLine == null) throw new IOException("connection closed before a response");
    return Integer.parseInt(statusLine.split(" ")[1]);
  }

  private Map<String, String> fields() throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line; !(line = line()).isEmpty(); ) { // a null line (the end) fails here, as it should
      int colon = line.indexOf(':');
      fields.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    return fields;
  }

  /** A line without its CRLF; null when the stream ends (or is reset) before its first byte. */
  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b;
      try {
        b = in.read();
      } catch (SocketException e) {
        b = -1;
      }
      if (b < 0) {
        if (line.length() == 0) return null;
        throw new IOException("connection closed mid-line: " + line);
      }
      if (b == '\n') return line.toString();
      if (b != '\r') line.append((char) b);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
