package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.sidecar.balancer.LoadHint;
import io.sidecar.config.HeaderMutationSpec;
import io.sidecar.proxy.http1.FieldNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A route's {@code request_headers} or {@code response_headers} as the byte-level path applies them to a head:
 * the lines of every field the rules remove or set are left out, and the set fields are written after the copied
 * ones, with the result {@link UpstreamRequests#apply} gives on the full path. On the way up, a {@code host_rewrite}
 * is one more such rule, its Host line written first (RFC 9112 §3.2). Compiled once per config version.
 */
final class HeaderRules {
  /**
   * Fields the byte-level path frames, forwards or writes itself on the way up (Host, framing, hop-by-hop, the
   * forwarding fields, the request id): a rule naming one keeps the route on the full path, where rules are applied
   * last, after all of these.
   */
  private static final Set<String> REQUEST_RESERVED = Set.of("host", "content-length", "transfer-encoding",
      "connection", "keep-alive", "te", "trailer", "upgrade", "expect", "proxy-connection", "via", "x-forwarded-for",
      "x-forwarded-proto", "x-forwarded-host", "x-request-id");
  /** The same on the way down: framing, hop-by-hop fields and the ones this path adds. */
  private static final Set<String> RESPONSE_RESERVED = Set.of("content-length", "transfer-encoding", "connection",
      "keep-alive", "te", "trailer", "upgrade", "proxy-connection", "via", LoadHint.HEADER);

  /** The names whose lines are left out: removed or set. */
  private final FieldNames names;
  /** {@code name: value CRLF} for each set field, in the config's order. */
  private final byte[] setLines;
  /** {@code host: value CRLF} of a host rewrite, or null. */
  private final byte[] hostLine;

  private HeaderRules(FieldNames names, byte[] setLines, byte[] hostLine) {
    this.names = names;
    this.setLines = setLines;
    this.hostLine = hostLine;
  }

  /**
   * The request rules and host rewrite ({@code null}: none), or null when there are none or they cannot be applied
   * on bytes (see {@link #REQUEST_RESERVED}, {@link #hostRewriteSupported}); {@link #onBytes} tells the two apart.
   */
  static HeaderRules request(HeaderMutationSpec spec, String hostRewrite) {
    if (hostRewrite != null && !hostRewriteSupported(hostRewrite)) return null;
    return compile(spec, REQUEST_RESERVED, hostRewrite);
  }

  /** The response rules, or null as for {@link #request}. */
  static HeaderRules response(HeaderMutationSpec spec) {
    return compile(spec, RESPONSE_RESERVED, null);
  }

  /**
   * Whether a route's rules ({@code spec}, and {@code hostRewrite} on the way up; null: none) are applied on bytes:
   * there are none, or they compiled ({@code compiled}, what {@link #request} or {@link #response} gave).
   */
  static boolean onBytes(HeaderMutationSpec spec, String hostRewrite, HeaderRules compiled) {
    return compiled != null || (spec.isEmpty() && hostRewrite == null);
  }

  /** A host rewrite the byte-level path writes as it is: an authority Vert.x would parse too, nothing else. */
  private static boolean hostRewriteSupported(String hostRewrite) {
    return FieldNames.isFieldValue(hostRewrite) && io.vertx.core.net.HostAndPort.parseAuthority(hostRewrite, -1) != null;
  }

  private static HeaderRules compile(HeaderMutationSpec spec, Set<String> reserved, String hostRewrite) {
    if (spec.isEmpty() && hostRewrite == null) return null;
    Set<String> names = new LinkedHashSet<>(spec.remove());
    names.addAll(spec.set().keySet());
    for (String name : names) {
      if (reserved.contains(name)) return null;
    }
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    for (Map.Entry<String, String> field : spec.set().entrySet()) {
      // a CR or LF would split the head: such a value stays with the full path, which refuses it
      if (!FieldNames.isFieldValue(field.getValue())) return null;
      lines.writeBytes((field.getKey() + ": ").getBytes(StandardCharsets.US_ASCII));
      lines.writeBytes(field.getValue().getBytes(StandardCharsets.ISO_8859_1));
      lines.writeBytes(new byte[] {'\r', '\n'});
    }
    if (hostRewrite != null) names.add("host");
    byte[] hostLine = hostRewrite == null ? null : ("host: " + hostRewrite + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    return new HeaderRules(new FieldNames(names.toArray(new String[0])), lines.toByteArray(), hostLine);
  }

  /** Whether a Host line replaces the client's ({@code host_rewrite}). */
  boolean rewritesHost() {
    return hostLine != null;
  }

  /** Writes the rewritten Host line. */
  void writeHostLine(ByteBuf out) {
    out.writeBytes(hostLine);
  }

  /** The names whose lines are left out: the ones the rules remove or set. */
  FieldNames names() {
    return names;
  }

  /** Writes the set fields. */
  void writeSetFields(ByteBuf out) {
    out.writeBytes(setLines);
  }
}
