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
}
