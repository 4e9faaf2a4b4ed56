package io.sinkron.client;

import java.time.Duration;

/**
 * The client's view of whether one node is worth trying.
 *
 * <p>Every failed attempt (transport error, unanswered stream) counts; any answer from the node
 * resets the count. After {@code threshold} consecutive failures the node is <em>down</em> for
 * {@code downPeriod}, doubling with each further failure up to {@value #MAX_DOUBLINGS} doublings.
 * When the period ends the node is available again for a probe: success clears it, one more failure
 * marks it down for longer.
 *
 * <p>Times are {@link System#nanoTime()} values passed in by the caller. Thread-safe; a healthy
 * node, the common case, is read and confirmed without taking the lock.
 */
final class NodeHealth {

    static final int MAX_DOUBLINGS = 4;

    private final int threshold;
    private final long downPeriodNanos;
    private volatile int consecutiveFailures;
    private volatile boolean down;
    private long downUntilNanos;

    NodeHealth(int threshold, Duration downPeriod) {
        this.threshold = threshold;
        this.downPeriodNanos = downPeriod.toNanos();
    }

    void recordSuccess() {
        if (consecutiveFailures == 0 && !down) {
            return;
        }
        synchronized (this) {
            consecutiveFailures = 0;
            down = false;
        }
    }

    synchronized void recordFailure(long nowNanos) {
        consecutiveFailures++;
        if (consecutiveFailures >= threshold) {
            int doublings = Math.min(consecutiveFailures - threshold, MAX_DOUBLINGS);
            down = true;
            downUntilNanos = nowNanos + (downPeriodNanos << doublings);
        }
    }

    /**
     * The cluster's own failure detector reports the node FAILED: treat it as down for one period
     * without spending attempts on it. An answer from the node clears it as usual.
     */
    synchronized void reportedFailed(long nowNanos) {
        consecutiveFailures = Math.max(consecutiveFailures, threshold);
        down = true;
        downUntilNanos = Math.max(downUntilNanos, nowNanos + downPeriodNanos);
    }

    boolean isAvailable(long nowNanos) {
        if (!down) {
            return true;
        }
        synchronized (this) {
            return !down || nowNanos - downUntilNanos >= 0;
        }
    }

    /** How long until the node is available again; zero or negative if it already is. */
    synchronized long nanosUntilAvailable(long nowNanos) {
        return down ? downUntilNanos - nowNanos : 0;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }
}
