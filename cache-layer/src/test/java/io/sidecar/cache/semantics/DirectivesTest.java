package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DirectivesTest {

  @Test
  void parsesTokensQuotedValuesAndFieldNames() {
    Directives d = Directives.parse(List.of("Max-Age=60, no-cache=\"Set-Cookie, X-A\"", "private"));
    assertThat(d.seconds("max-age")).isEqualTo(60L);
    assertThat(d.fieldNames("no-cache")).containsExactly("Set-Cookie", "X-A");
    assertThat(d.has("private")).isTrue();
    assertThat(d.value("private")).isNull();
  }

  @Test
  void firstOccurrenceWins() {
    assertThat(Directives.parse("max-age=10, max-age=20").seconds("max-age")).isEqualTo(10L);
  }

  @Test
  void invalidAndHugeDeltaSeconds() {
    assertThat(Directives.parse("max-age=abc").seconds("max-age")).isEqualTo(Directives.INVALID);
    assertThat(Directives.parse("max-age=-1").seconds("max-age")).isEqualTo(Directives.INVALID);
    assertThat(Directives.parse("max-age").seconds("max-age")).isEqualTo(Directives.INVALID);
    assertThat(Directives.parse("max-age=99999999999999").seconds("max-age")).isEqualTo(2147483648L);
    assertThat(Directives.parse("max-age=\"30\"").seconds("max-age")).isEqualTo(30L);
    assertThat(Directives.parse("public").seconds("max-age")).isNull();
  }

  @Test
  void commasInsideQuotesDoNotSplit() {
    Directives d = Directives.parse("ext=\"a,b\", max-age=5");
    assertThat(d.value("ext")).isEqualTo("a,b");
    assertThat(d.seconds("max-age")).isEqualTo(5L);
  }
}
