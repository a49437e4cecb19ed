package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.cache.semantics.ByteRanges.Decision;
import io.sidecar.cache.semantics.ByteRanges.Kind;
import org.junit.jupiter.api.Test;

/** RFC 9110 §14: Range parsing and the 206 / 416 / 200 choice for a stored complete response. */
class ByteRangesTest {

  private static Decision d(String range, long length) {
    return ByteRanges.decide(range, length);
  }

  @Test
  void singleRangesGiveOnePartClampedToTheLength() {
    assertThat(d("bytes=0-9", 100)).isEqualTo(new Decision(Kind.PARTIAL, 0, 9, 100));
    assertThat(d("bytes=0-9", 100).contentRange()).isEqualTo("bytes 0-9/100");
    assertThat(d("bytes=0-9", 100).size()).isEqualTo(10);
    assertThat(d("bytes=90-", 100)).isEqualTo(new Decision(Kind.PARTIAL, 90, 99, 100));
    assertThat(d("bytes=-10", 100)).isEqualTo(new Decision(Kind.PARTIAL, 90, 99, 100));
    assertThat(d("bytes=-500", 100)).isEqualTo(new Decision(Kind.PARTIAL, 0, 99, 100)); // suffix longer: all
    assertThat(d("bytes=50-5000", 100)).isEqualTo(new Decision(Kind.PARTIAL, 50, 99, 100)); // clamp last-pos
    assertThat(d("bytes=99-99", 100)).isEqualTo(new Decision(Kind.PARTIAL, 99, 99, 100));
    assertThat(d("bytes=0-", 100)).isEqualTo(new Decision(Kind.PARTIAL, 0, 99, 100));
    assertThat(d("bytes=0-99999999999999999999999", 100)).isEqualTo(new Decision(Kind.PARTIAL, 0, 99, 100));
  }

  @Test
  void unitIgnoresCaseAndListsAllowWhitespaceAndEmptyElements() {
    assertThat(d("Bytes=0-9", 100).kind()).isEqualTo(Kind.PARTIAL);
    assertThat(d("bytes= 0-9 ,", 100)).isEqualTo(new Decision(Kind.PARTIAL, 0, 9, 100));
    assertThat(d("bytes=,,5-6", 100)).isEqualTo(new Decision(Kind.PARTIAL, 5, 6, 100));
  }

  @Test
  void nothingSatisfiableIs416WithTheCurrentLength() {
    Decision past = d("bytes=100-", 100);
    assertThat(past.kind()).isEqualTo(Kind.UNSATISFIABLE);
    assertThat(past.contentRange()).isEqualTo("bytes */100");
    assertThat(d("bytes=-0", 100).kind()).isEqualTo(Kind.UNSATISFIABLE);
    assertThat(d("bytes=200-300, 150-", 100).kind()).isEqualTo(Kind.UNSATISFIABLE);
    assertThat(d("bytes=99999999999999999999999-", 100).kind()).isEqualTo(Kind.UNSATISFIABLE);
    assertThat(d("bytes=0-0", 0).kind()).isEqualTo(Kind.UNSATISFIABLE);
    assertThat(d("bytes=0-0", 0).contentRange()).isEqualTo("bytes */0");
  }

  @Test
  void severalSatisfiableRangesGetTheFull200() {
    assertThat(d("bytes=0-9, 20-29", 100).kind()).isEqualTo(Kind.FULL);
    assertThat(d("bytes=0-0,-1", 100).kind()).isEqualTo(Kind.FULL);
    // only one of them is satisfiable: that one part
    assertThat(d("bytes=0-9, 500-600", 100)).isEqualTo(new Decision(Kind.PARTIAL, 0, 9, 100));
  }

  @Test
  void invalidFieldsAndOtherUnitsAreIgnored() {
    for (String bad : new String[] {"bytes=5-1", "bytes=a-b", "bytes=", "bytes=-", "bytes=1-2-3", "bytes=+1-2",
        "bytes=0-9, 5-1", "items=0-9", "bytes 0-9", "0-9", "bytes=0x1-2", "bytes=-1-2", ""}) {
      assertThat(d(bad, 100).kind()).as(bad).isEqualTo(Kind.FULL);
      assertThat(ByteRanges.parse(bad)).as(bad).isNull();
    }
    assertThat(d(null, 100).kind()).isEqualTo(Kind.FULL);
  }

  @Test
  void aSuffixRangeOfAnEmptyRepresentationIsTheFullEmpty200() {
    assertThat(d("bytes=-5", 0).kind()).isEqualTo(Kind.FULL);
  }

  @Test
  void parseKeepsTheSpecsAsSent() {
    assertThat(ByteRanges.parse("bytes=1-2, 3-, -4")).containsExactly(new ByteRanges.Spec(1, 2),
        new ByteRanges.Spec(3, -1), new ByteRanges.Spec(-1, 4));
  }

  @Test
  void completeLengthFromA206ContentRange() {
    assertThat(ByteRanges.completeLength("bytes 0-9/100")).isEqualTo(100);
    assertThat(ByteRanges.completeLength("Bytes 0-0/1")).isEqualTo(1);
    assertThat(ByteRanges.completeLength("bytes 0-9/*")).isEqualTo(-1);
    assertThat(ByteRanges.completeLength("bytes */100")).isEqualTo(-1); // a 416's, not a part
    assertThat(ByteRanges.completeLength("items 0-9/100")).isEqualTo(-1);
    assertThat(ByteRanges.completeLength("bytes 0-9/99999999999999999999999")).isEqualTo(-1);
    assertThat(ByteRanges.completeLength(null)).isEqualTo(-1);
  }
}
