package io.sinkron.consensus.raft;

/**
 * What identifies a snapshot: the last index and term it covers and the configuration in force
 * at that index (membership is part of the snapshot, dissertation §5.1). The data itself never
 * passes through the core; the driver stores and ships it.
 */
public record SnapshotMeta(long index, long term, Membership membership) {

    public static final SnapshotMeta NONE = new SnapshotMeta(0, 0, Membership.EMPTY);
}
