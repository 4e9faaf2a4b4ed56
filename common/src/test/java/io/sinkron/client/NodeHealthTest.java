package io.sinkron.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeHealthTest {

    private static final long MS = 1_000_000;

    @Test
    void consecutiveFailuresMarkTheNodeDownForAGrowingPeriod() {
        NodeHealth health = new NodeHealth(2, Duration.ofMillis(100));
        long now = 1_000 * MS;

        health.recordFailure(now);
        assertThat(health.isAvailable(now)).as("below the threshold").isTrue();
        health.recordFailure(now);
        assertThat(health.isAvailable(now + 99 * MS)).isFalse();
        assertThat(health.isAvailable(now + 100 * MS)).isTrue();

        health.recordFailure(now + 100 * MS);
        assertThat(health.nanosUntilAvailable(now + 100 * MS)).isEqualTo(200 * MS);
        for (int i = 0; i < 10; i++) {
            health.recordFailure(now + 100 * MS);
        }
        assertThat(health.nanosUntilAvailable(now + 100 * MS))
                .as("doubling is capped")
                .isEqualTo(100 * MS << NodeHealth.MAX_DOUBLINGS);
    }

    @Test
    void successClearsTheFailures() {
        NodeHealth health = new NodeHealth(1, Duration.ofMillis(100));
        health.recordFailure(0);
        assertThat(health.isAvailable(MS)).isFalse();

        health.recordSuccess();

        assertThat(health.isAvailable(MS)).isTrue();
        assertThat(health.consecutiveFailures()).isZero();
    }
}
