package io.sinkron.consensus.transport;

import io.sinkron.consensus.raft.Message;

/** Where the inbound side of the transport hands what arrives; implemented above it. */
public interface InboundMessages {

    /** A Raft message for the group {@code groupId}; unknown groups are dropped. */
    void deliver(String groupId, Message message);

    /** Any envelope from {@code peerId} arrived: evidence for the failure detector. */
    void heard(String peerId);
}
