package io.sinkron.cache;

/**
 * The instance's monotonic clock, in nanoseconds from an arbitrary origin. Leases are measured on
 * it; tests inject one they move by hand.
 */
@FunctionalInterface
public interface MonotonicClock {

    long nanoTime();

    static MonotonicClock system() {
        return System::nanoTime;
    }
}
