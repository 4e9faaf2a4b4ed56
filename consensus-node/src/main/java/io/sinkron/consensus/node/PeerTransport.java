package io.sinkron.consensus.node;

import io.sinkron.consensus.raft.Message;

/**
 * The outbound side of peer communication, owned by the driver and implemented below it (gRPC in
 * production, an in-memory network in tests). Delivery is best effort: Raft tolerates lost,
 * duplicated and reordered messages, so an implementation may drop a message rather than block
 * the driver.
 */
public interface PeerTransport extends AutoCloseable {

    /** Queues {@code message} for its destination and returns without waiting. */
    void send(String groupId, Message message);

    /** The address book changed (membership is in the log, so addresses come from there). */
    default void updateAddresses(java.util.Map<String, String> addressesById) {}

    @Override
    default void close() {}
}
