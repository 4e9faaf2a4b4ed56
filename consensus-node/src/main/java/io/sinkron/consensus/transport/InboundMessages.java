package io.sinkron.consensus.transport;

import io.sinkron.consensus.raft.Message;

/** Where the inbound side of the transport hands what arrives; implemented above it. */
public interface InboundMessages {

    /** A Raft message for the group {@code groupId}; unknown groups are dropped. */
    void deliver(String groupId, Message message);

    /** A snapshot arrived whole and verified in {@code file}. */
    void deliverSnapshot(String groupId, Message.SnapshotRequest message, java.nio.file.Path file);

    /** Where to stage snapshots for {@code groupId} while they stream in, or null for unknown groups. */
    java.nio.file.Path snapshotStaging(String groupId);

    /** Any envelope from {@code peerId} arrived: evidence for the failure detector. */
    void heard(String peerId);
}
