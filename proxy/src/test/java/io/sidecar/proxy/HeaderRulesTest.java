package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sidecar.config.HeaderMutationSpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {
  private static HeaderMutationSpec spec(Map<String, String> set, List<String> remove) {
    return new HeaderMutationSpec(set, remove);
  }

  @Test
  void setFieldsAreWrittenInTheConfigsOrderAndTheirNamesAndTheRemovedOnesAreDropped() {
    Map<String, String> set = new LinkedHashMap<>();
    set.put("x-env", "prod");
    set.put("x-tenant", "a b");
    HeaderRules rules = HeaderRules.request(spec(set, List.of("cookie")), null);
    ByteBuf out = Unpooled.buffer();
    rules.writeSetFields(out);
    assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("x-env: prod\r\nx-tenant: a b\r\n");
    ByteBuf names = Unpooled.copiedBuffer("Cookie X-ENV X-Other", StandardCharsets.US_ASCII);
    assertThat(rules.names().matches(names, 0, 6)).isTrue();
    assertThat(rules.names().matches(names, 7, 12)).isTrue();
    assertThat(rules.names().matches(names, 13, 20)).isFalse();
  }

  private static boolean requestOnBytes(HeaderMutationSpec spec) {
    return HeaderRules.onBytes(spec, null, HeaderRules.request(spec, null));
  }

  private static boolean responseOnBytes(HeaderMutationSpec spec) {
    return HeaderRules.onBytes(spec, null, HeaderRules.response(spec));
  }

  @Test
  void noRulesAreNullAndSupported() {
    assertThat(HeaderRules.request(HeaderMutationSpec.NONE, null)).isNull();
    assertThat(HeaderRules.onBytes(HeaderMutationSpec.NONE, null, null)).isTrue();
  }

  /** Fields the byte-level path frames or writes itself, and values that would split a head, stay with the full path. */
  @Test
  void reservedNamesAndUnsafeValuesAreNotSupported() {
    assertThat(requestOnBytes(spec(Map.of("x-forwarded-for", "1.2.3.4"), List.of()))).isFalse();
    assertThat(requestOnBytes(spec(Map.of(), List.of("host")))).isFalse();
    assertThat(responseOnBytes(spec(Map.of(), List.of("content-length")))).isFalse();
    assertThat(responseOnBytes(spec(Map.of("x-a", "b\r\nx-injected: 1"), List.of()))).isFalse();
    assertThat(responseOnBytes(spec(Map.of("x-forwarded-for", "1.2.3.4"), List.of()))).isTrue();
  }

  /** A host rewrite is one more rule: the client's Host line left out, the route's written (first, by the exchange). */
  @Test
  void aHostRewriteDropsTheClientsHostAndWritesItsOwn() {
    HeaderRules rules = HeaderRules.request(HeaderMutationSpec.NONE, "api.internal:8443");
    assertThat(rules.rewritesHost()).isTrue();
    ByteBuf out = Unpooled.buffer();
    rules.writeHostLine(out);
    assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("host: api.internal:8443\r\n");
    ByteBuf names = Unpooled.copiedBuffer("HOST", StandardCharsets.US_ASCII);
    assertThat(rules.names().matches(names, 0, 4)).isTrue();
    assertThat(HeaderRules.onBytes(HeaderMutationSpec.NONE, "bad host", HeaderRules.request(HeaderMutationSpec.NONE, "bad host")))
        .isFalse();
    assertThat(HeaderRules.request(HeaderMutationSpec.NONE, "a\r\nx: y")).isNull();
  }
}
