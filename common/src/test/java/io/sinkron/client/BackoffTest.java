package io.sinkron.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysGrowExponentiallyWithJitterUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(500), new SplittableRandom(1));
        long ms = 1_000_000;

        for (int i = 0; i < 100; i++) {
            assertThat(backoff.delayNanos(0)).isBetween(5 * ms, 10 * ms);
            assertThat(backoff.delayNanos(3)).isBetween(40 * ms, 80 * ms);
            assertThat(backoff.delayNanos(10)).isBetween(250 * ms, 500 * ms);
            assertThat(backoff.delayNanos(1_000)).isBetween(250 * ms, 500 * ms);
        }
    }
}
