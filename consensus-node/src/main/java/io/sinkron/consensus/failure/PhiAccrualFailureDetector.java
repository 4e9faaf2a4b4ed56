package io.sinkron.consensus.failure;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * Phi-accrual failure detector for one peer (Hayashibara, Défago, Yared and Katayama, "The φ
 * Accrual Failure Detector", SRDS 2004), in the variant used by Akka and Cassandra.
 *
 * <p>Inter-arrival intervals of heartbeats are modelled as normally distributed with the mean and
 * standard deviation of the last {@link FailureDetectorConfig#windowSize()} intervals. At time
 * {@code now}, with {@code t} milliseconds elapsed since the last heartbeat, {@code phi = -log10(1
 * - F(t))} where {@code F} is the CDF of that normal distribution: phi grows continuously and
 * monotonically while the peer stays silent, and drops back when a heartbeat arrives.
 *
 * <p>The estimate used for {@code F}:
 *
 * <ul>
 *   <li>the mean is the window mean plus {@link FailureDetectorConfig#acceptableHeartbeatPauseMillis()};
 *   <li>the standard deviation is at least {@link FailureDetectorConfig#minStdDeviationMillis()};
 *   <li>until {@link FailureDetectorConfig#minSamples()} intervals have been recorded, the window is
 *       ignored and a bootstrap estimate is used instead: mean {@link
 *       FailureDetectorConfig#expectedHeartbeatIntervalMillis()} and standard deviation a quarter of
 *       it (Akka's choice), so a handful of early, possibly unrepresentative intervals cannot make
 *       the detector hair-triggered or blind.
 * </ul>
 *
 * <p>A peer is not judged before it has been heard from: until the first heartbeat phi is 0 (as in
 * Akka, whose detector reports a peer without history as available). A peer that is still starting,
 * or was added to the configuration before its process runs, would otherwise be reported failed
 * (and avoided by clients) on no evidence but the time this node happened to start watching it.
 * Whether a peer was ever heard from is visible in {@link #lastHeartbeatMillis()}. The span from
 * the start of monitoring to the first heartbeat is not recorded as an interval either, as it
 * measures start-up rather than heartbeat cadence. Likewise, a heartbeat that
 * arrives when phi is already at or above {@link FailureDetectorConfig#phiThreshold()} does not
 * record its interval (as in Akka): the gap of an outage says nothing about the normal cadence,
 * and keeping it would inflate the mean and make the next failure slower to detect.
 *
 * <p>The detector is a pure function of the timestamps it is given; it never reads a clock.
 * Timestamps are milliseconds of a monotonic clock. Instances are not thread-safe; {@link
 * FailureDetectorRegistry} serializes access.
 */
public final class PhiAccrualFailureDetector {

    // Coefficients of the logistic approximation of the standard normal CDF by Bowling, Khasawneh,
    // Kaewkuekool and Cho, "A logistic approximation to the cumulative normal distribution"
    // (JIEM 2009), which Akka's PhiAccrualFailureDetector uses: F(y) ~ 1 / (1 + exp(-y (a + b y^2))).
    // Its maximum absolute error is about 1.4e-4, far below what the thresholds can resolve, and it
    // avoids an erf implementation.
    private static final double LOGISTIC_LINEAR = 1.5976;
    private static final double LOGISTIC_CUBIC = 0.070566;
    private static final double LN_10 = Math.log(10);

    private final FailureDetectorConfig config;
    private final long[] intervals;
    private int next;
    private int count;
    // Exact integer sums: the running mean and variance never drift however long the detector runs.
    private long sum;
    private long sumOfSquares;
    private long referenceMillis;
    private boolean heardFrom;

    /**
     * @param config thresholds and estimation parameters
     * @param startMillis when monitoring starts; no heartbeat may be earlier
     */
    public PhiAccrualFailureDetector(FailureDetectorConfig config, long startMillis) {
        this.config = Objects.requireNonNull(config, "config");
        this.intervals = new long[config.windowSize()];
        this.referenceMillis = startMillis;
    }

    /**
     * Records a heartbeat arriving at {@code nowMillis}. The interval since the previous heartbeat
     * joins the window, evicting the oldest once the window is full, unless this is the first
     * heartbeat or phi had reached the failure threshold (see the class comment).
     *
     * @throws IllegalArgumentException if {@code nowMillis} is before the previous heartbeat
     */
    public void heartbeat(long nowMillis) {
        if (nowMillis < referenceMillis) {
            throw new IllegalArgumentException(
                    "heartbeat at " + nowMillis + " precedes the previous one at " + referenceMillis);
        }
        if (heardFrom && phi(nowMillis) < config.phiThreshold()) {
            record(nowMillis - referenceMillis);
        }
        heardFrom = true;
        referenceMillis = nowMillis;
    }

    private void record(long interval) {
        if (count == intervals.length) {
            long evicted = intervals[next];
            sum -= evicted;
            sumOfSquares -= evicted * evicted;
        } else {
            count++;
        }
        intervals[next] = interval;
        next = (next + 1) % intervals.length;
        sum += interval;
        // Overflows only for intervals beyond about 35 days; fail loudly rather than corrupt the sums.
        sumOfSquares = Math.addExact(sumOfSquares, Math.multiplyExact(interval, interval));
    }

    /**
     * Suspicion level at {@code nowMillis}: 0 or more, finite, and non-decreasing in {@code
     * nowMillis} between heartbeats. A time before the last heartbeat counts as no time elapsed.
     * It is 0 until the first heartbeat (see the class comment).
     */
    public double phi(long nowMillis) {
        if (!heardFrom) {
            return 0;
        }
        double elapsed = Math.max(0, nowMillis - referenceMillis);
        double y = (elapsed - meanIntervalMillis()) / stdDeviationMillis();
        // 1 - F(y) = 1 / (1 + exp(z)) under the logistic approximation, so phi = log10(1 + exp(z)).
        // The two forms of softplus keep it finite and accurate where exp would overflow.
        double z = y * (LOGISTIC_LINEAR + LOGISTIC_CUBIC * y * y);
        double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
        return softplus / LN_10;
    }

    /** Whether enough intervals have been recorded for the window to replace the bootstrap estimate. */
    public boolean bootstrapped() {
        return count >= config.minSamples();
    }

    /** The number of intervals in the window, at most {@link FailureDetectorConfig#windowSize()}. */
    public int sampleCount() {
        return count;
    }

    /**
     * The mean interval phi is computed with: the window mean (or the bootstrap mean) plus the
     * acceptable heartbeat pause.
     */
    public double meanIntervalMillis() {
        double mean = bootstrapped() ? (double) sum / count : config.expectedHeartbeatIntervalMillis();
        return mean + config.acceptableHeartbeatPauseMillis();
    }

    /** The standard deviation phi is computed with, never below the configured minimum. */
    public double stdDeviationMillis() {
        double std;
        if (bootstrapped()) {
            double mean = (double) sum / count;
            // Clamped because rounding can make a zero variance come out slightly negative.
            std = Math.sqrt(Math.max(0, (double) sumOfSquares / count - mean * mean));
        } else {
            std = config.expectedHeartbeatIntervalMillis() / 4.0;
        }
        return Math.max(std, config.minStdDeviationMillis());
    }

    /** When the last heartbeat arrived, or empty if none has. */
    public OptionalLong lastHeartbeatMillis() {
        return heardFrom ? OptionalLong.of(referenceMillis) : OptionalLong.empty();
    }
}
