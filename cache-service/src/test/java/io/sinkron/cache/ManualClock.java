package io.sinkron.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time that moves only when the test says so: the instances' monotonic clock and, in
 * milliseconds, the fake cluster's leader clock (ideal clocks, no skew).
 */
final class ManualClock implements MonotonicClock {

    private final AtomicLong nanos = new AtomicLong(Duration.ofHours(1).toNanos());

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    long millis() {
        return Duration.ofNanos(nanos.get()).toMillis();
    }

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }
}
