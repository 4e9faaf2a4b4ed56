package io.sinkron.consensus.failure;

/**
 * Tuning of the phi-accrual failure detector.
 *
 * <p>Phi is {@code -log10(P(a heartbeat arrives later than now))}, so a threshold of 8 means "act
 * when the chance that the peer is merely slow is below 10^-8". Peer states are derived from phi
 * as follows:
 *
 * <ul>
 *   <li>{@link PeerState#ALIVE} when {@code phi < suspectThreshold};
 *   <li>{@link PeerState#SUSPECTED} when {@code suspectThreshold <= phi < phiThreshold};
 *   <li>{@link PeerState#FAILED} when {@code phi >= phiThreshold}.
 * </ul>
 *
 * @param phiThreshold phi at or above which a peer is {@link PeerState#FAILED}; must be positive
 * @param suspectThreshold phi at or above which a peer is {@link PeerState#SUSPECTED}; must be
 *     positive and not above {@code phiThreshold} (equal disables the suspected state)
 * @param windowSize how many of the most recent inter-arrival intervals the estimate is built from
 * @param minSamples how many intervals must be observed before the estimate replaces the bootstrap
 *     estimate derived from {@code expectedHeartbeatIntervalMillis}; between 1 and {@code
 *     windowSize}
 * @param minStdDeviationMillis floor of the standard deviation, so perfectly regular heartbeats do
 *     not make the detector react to the first millisecond of delay; must be positive
 * @param acceptableHeartbeatPauseMillis added to the mean interval: a pause this long on top of the
 *     usual cadence (a GC pause, say) does not raise phi beyond its value at the mean; not negative
 * @param expectedHeartbeatIntervalMillis the interval the sender is configured with; seeds the
 *     bootstrap estimate used until {@code minSamples} intervals are known; must be positive
 */
public record FailureDetectorConfig(
        double phiThreshold,
        double suspectThreshold,
        int windowSize,
        int minSamples,
        long minStdDeviationMillis,
        long acceptableHeartbeatPauseMillis,
        long expectedHeartbeatIntervalMillis) {

    public static final double DEFAULT_PHI_THRESHOLD = 8.0;
    public static final double DEFAULT_SUSPECT_THRESHOLD = DEFAULT_PHI_THRESHOLD / 2;
    public static final int DEFAULT_WINDOW_SIZE = 100;
    public static final int DEFAULT_MIN_SAMPLES = 5;
    public static final long DEFAULT_MIN_STD_DEVIATION_MILLIS = 50;
    public static final long DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE_MILLIS = 0;
    public static final long DEFAULT_EXPECTED_HEARTBEAT_INTERVAL_MILLIS = 100;

    /** @throws IllegalArgumentException if a parameter is outside the range documented above */
    public FailureDetectorConfig {
        require(phiThreshold > 0 && Double.isFinite(phiThreshold), "phiThreshold must be positive and finite");
        require(
                suspectThreshold > 0 && suspectThreshold <= phiThreshold,
                "suspectThreshold must be positive and at most phiThreshold");
        require(windowSize >= 1, "windowSize must be at least 1");
        require(minSamples >= 1 && minSamples <= windowSize, "minSamples must be between 1 and windowSize");
        require(minStdDeviationMillis > 0, "minStdDeviationMillis must be positive");
        require(acceptableHeartbeatPauseMillis >= 0, "acceptableHeartbeatPauseMillis must not be negative");
        require(expectedHeartbeatIntervalMillis > 0, "expectedHeartbeatIntervalMillis must be positive");
    }

    /** The configuration with every parameter at its {@code DEFAULT_*} value. */
    public static FailureDetectorConfig defaults() {
        return new FailureDetectorConfig(
                DEFAULT_PHI_THRESHOLD,
                DEFAULT_SUSPECT_THRESHOLD,
                DEFAULT_WINDOW_SIZE,
                DEFAULT_MIN_SAMPLES,
                DEFAULT_MIN_STD_DEVIATION_MILLIS,
                DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE_MILLIS,
                DEFAULT_EXPECTED_HEARTBEAT_INTERVAL_MILLIS);
    }

    /** The state a peer with this phi is in, by the thresholds alone (see the class comment). */
    public PeerState classify(double phi) {
        if (phi >= phiThreshold) {
            return PeerState.FAILED;
        }
        return phi >= suspectThreshold ? PeerState.SUSPECTED : PeerState.ALIVE;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
