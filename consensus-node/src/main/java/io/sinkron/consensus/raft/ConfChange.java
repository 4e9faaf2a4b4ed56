package io.sinkron.consensus.raft;

/**
 * One single-server membership change (dissertation §4.1). Changes are applied one at a time: a
 * new one is refused until the previous one is committed, and until the leader has committed an
 * entry of its own term (the fix for the single-server change bug described on the raft-dev list
 * in 2015).
 */
public sealed interface ConfChange {

    /** Adds a non-voting member; with {@code promote}, the leader promotes it once it has caught up. */
    record AddLearner(String nodeId, String address, boolean promote) implements ConfChange {}

    record Promote(String nodeId) implements ConfChange {}

    record Remove(String nodeId) implements ConfChange {}
}
