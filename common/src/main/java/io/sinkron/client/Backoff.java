package io.sinkron.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: retry {@code n} (from 0) waits a uniformly random time between
 * half and all of {@code min(max, base * 2^n)}, so concurrent clients spread out while every retry
 * still waits at least half the nominal delay.
 *
 * <p>Thread-safe: the random generator, which need not be, is used under this object's lock.
 */
final class Backoff {

    private final long baseNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    Backoff(Duration base, Duration max, RandomGenerator random) {
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The delay before retry {@code retry} (0 for the first retry). */
    long delayNanos(int retry) {
        long nominal = baseNanos << Math.min(retry, 30);
        if (nominal <= 0 || nominal > maxNanos) {
            nominal = maxNanos;
        }
        long half = nominal / 2;
        synchronized (this) {
            return half + random.nextLong(nominal - half + 1);
        }
    }
}
