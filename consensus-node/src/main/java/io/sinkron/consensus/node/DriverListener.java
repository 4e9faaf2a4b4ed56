package io.sinkron.consensus.node;

import io.sinkron.consensus.raft.SoftState;

/** Observes the driver's work, for metrics; called on the driver thread, so it must be cheap. */
public interface DriverListener {

    DriverListener NONE = new DriverListener() {};

    default void onSoftState(SoftState before, SoftState after) {}

    /** One persist step: entries appended and the time the append and the fsync took. */
    default void onPersist(int entries, long appendNanos, long fsyncNanos) {}

    default void onProposalCommitted() {}

    default void onProposalFailed() {}

    /** A local snapshot was written: its size, how long applying paused, and the total time. */
    default void onSnapshot(long bytes, long pauseNanos, long totalNanos) {}

    default void onSnapshotSent(long bytes) {}

    default void onSnapshotInstalled(long bytes) {}

    /** A configuration entry was applied. */
    default void onMembershipChange() {}
}
