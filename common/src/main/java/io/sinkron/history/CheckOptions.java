package io.sinkron.history;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on the work {@link LinearizabilityChecker} may do. Checking is NP-complete in general, so a
 * pathological history (many long-pending or highly concurrent operations) could take practically
 * forever; past either bound the checker gives up with {@link CheckResult.Unknown}.
 *
 * @param maxSteps model steps allowed over the whole check; positive
 * @param timeout wall-clock time allowed for the whole check; positive
 */
public record CheckOptions(long maxSteps, Duration timeout) {

    /** A minute and no step limit: enough for any history a test produces, but never a hang. */
    public static final CheckOptions DEFAULT = new CheckOptions(Long.MAX_VALUE, Duration.ofMinutes(1));

    public CheckOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (maxSteps <= 0) {
            throw new IllegalArgumentException("maxSteps must be positive");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }
}
