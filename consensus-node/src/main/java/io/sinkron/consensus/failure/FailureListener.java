package io.sinkron.consensus.failure;

/**
 * Receives the state transitions {@link FailureDetectorRegistry#evaluate()} detects. Each
 * transition is reported exactly once, on the thread that called {@code evaluate()}, one at a
 * time and in the order they were detected. Implementations should return quickly: heartbeats are
 * not blocked meanwhile, but the next evaluation is.
 *
 * <p>All methods do nothing by default, so an implementation overrides only what it needs.
 */
public interface FailureListener {

    /** {@code peerId} went from {@link PeerState#ALIVE} to {@link PeerState#SUSPECTED}. */
    default void onSuspected(String peerId, double phi) {}

    /**
     * {@code peerId} became {@link PeerState#FAILED}, from {@link PeerState#SUSPECTED} or directly
     * from {@link PeerState#ALIVE} if phi crossed both thresholds between two evaluations (in which
     * case {@link #onSuspected} is not called).
     */
    default void onFailed(String peerId, double phi) {}

    /** {@code peerId} went back to {@link PeerState#ALIVE} from {@link PeerState#SUSPECTED} or {@link PeerState#FAILED}. */
    default void onRecovered(String peerId) {}
}
