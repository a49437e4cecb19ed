package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheKeysTest {

  @Test
  void normalisesSchemeHostAndDefaultPort() {
    CacheKeys.CacheKey k = CacheKeys.of("HTTP", "Svc.Test:80", "/a?x=1", HeaderFields.EMPTY, CacheKeys.KeyRules.DEFAULT);
    assertThat(k.url()).isEqualTo("http://svc.test/a?x=1");
    assertThat(k.primary()).isEqualTo(k.url());
    assertThat(k.pathAndQuery()).isEqualTo("/a?x=1");
    assertThat(CacheKeys.of("https", "svc.test:443", "", HeaderFields.EMPTY, CacheKeys.KeyRules.DEFAULT).url())
        .isEqualTo("https://svc.test/");
    assertThat(CacheKeys.of("http", "svc.test:8080", "/", HeaderFields.EMPTY, CacheKeys.KeyRules.DEFAULT).url())
        .isEqualTo("http://svc.test:8080/");
  }

  @Test
  void queryIgnoreKeepAndSort() {
    CacheKeys.KeyRules ignore = new CacheKeys.KeyRules(Set.of("utm"), Set.of(), true, List.of());
    assertThat(CacheKeys.of("http", "h", "/p?b=2&utm=x&a=1&a=0", HeaderFields.EMPTY, ignore).url())
        .isEqualTo("http://h/p?a=1&a=0&b=2");
    CacheKeys.KeyRules keep = new CacheKeys.KeyRules(Set.of(), Set.of("id"), false, List.of());
    assertThat(CacheKeys.of("http", "h", "/p?x=1&id=7", HeaderFields.EMPTY, keep).url()).isEqualTo("http://h/p?id=7");
    assertThat(CacheKeys.of("http", "h", "/p?x=1", HeaderFields.EMPTY, keep).url()).isEqualTo("http://h/p");
    assertThat(CacheKeys.of("http", "h", "/p?b=1&a=2", HeaderFields.EMPTY, CacheKeys.KeyRules.DEFAULT).url())
        .isEqualTo("http://h/p?b=1&a=2");
  }

  @Test
  void configuredHeadersAreNormalisedIntoThePrimaryKey() {
    CacheKeys.KeyRules rules = new CacheKeys.KeyRules(Set.of(), Set.of(), false, List.of("Accept-Language"));
    String a = CacheKeys.of("http", "h", "/", HeaderFields.of("Accept-Language", "EN,  fr"), rules).primary();
    String b = CacheKeys.of("http", "h", "/", HeaderFields.of("accept-language", "en,fr"), rules).primary();
    String c = CacheKeys.of("http", "h", "/", HeaderFields.of("Accept-Language", "de"), rules).primary();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    assertThat(CacheKeys.urlOf(a)).isEqualTo("http://h/");
    assertThat(CacheKeys.pathAndQueryOf("http://h/x?y")).isEqualTo("/x?y");
    assertThat(CacheKeys.pathAndQueryOf("http://h")).isEqualTo("/");
  }
}
