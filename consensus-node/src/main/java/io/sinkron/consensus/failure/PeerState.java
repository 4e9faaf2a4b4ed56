package io.sinkron.consensus.failure;

/**
 * How a peer looks to the failure detector, derived from its phi value and the thresholds of
 * {@link FailureDetectorConfig}.
 */
public enum PeerState {
    /** {@code phi < suspectThreshold}: heartbeats arrive about as often as they used to. */
    ALIVE,
    /** {@code suspectThreshold <= phi < phiThreshold}: a heartbeat is overdue, but not yet by enough to act on. */
    SUSPECTED,
    /** {@code phi >= phiThreshold}: the peer is considered crashed or partitioned away. */
    FAILED
}
