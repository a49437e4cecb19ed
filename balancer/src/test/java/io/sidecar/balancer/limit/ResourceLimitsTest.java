package io.sidecar.balancer.limit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceLimitsTest {

    @Test
    void connectionsAndPendingAreBounded() {
        ResourceLimits l = new ResourceLimits(new LimitsConfig(2, 1, 10, 3));
        assertThat(l.tryAcquireConnection()).isTrue();
        assertThat(l.tryAcquireConnection()).isTrue();
        assertThat(l.tryAcquireConnection()).isFalse();
        l.releaseConnection();
        assertThat(l.tryAcquireConnection()).isTrue();
        assertThat(l.tryAcquirePending()).isTrue();
        assertThat(l.tryAcquirePending()).isFalse();
        l.releasePending();
        l.releasePending();   // extra releases never go below zero
        assertThat(l.pendingRequests()).isZero();
    }

    @Test
    void invalidLimitsNameTheField() {
        assertThatThrownBy(() -> new LimitsConfig(0, 1, 1, 1)).hasMessageContaining("limits.maxConnections");
        assertThatThrownBy(() -> new LimitsConfig(1, 1, 1, -1)).hasMessageContaining("limits.maxRetries");
    }
}
