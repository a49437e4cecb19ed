package io.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OutcomeTest {
    @Test
    void aStatusOutside100To599IsProcessedAsA5xx() {
        // RFC 9110 §15: a recipient processes an invalid status code as a 5xx
        for (int invalid : new int[] {0, 99, 600, 999}) {
            Outcome outcome = Outcome.status(invalid);
            assertThat(outcome.status()).as("status %d", invalid).isEqualTo(500);
            assertThat(outcome.isFailure()).isTrue();
        }
        assertThat(Outcome.status(599).status()).isEqualTo(599);
        assertThat(Outcome.status(100).status()).isEqualTo(100);
        assertThat(Outcome.status(200)).isSameAs(Outcome.OK);
    }

    @Test
    void theRecordItselfStillRefusesAnInvalidStatus() {
        assertThatThrownBy(() -> new Outcome(999, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
