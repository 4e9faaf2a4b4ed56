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

    /**
     * Streams the snapshot in {@code file} to {@code request.to()} and reports, on any thread,
     * whether it arrived whole. Must always report, or the follower waits for a lost report.
     */
    default void sendSnapshot(
            String groupId,
            Message.SnapshotRequest request,
            java.nio.file.Path file,
            java.util.function.Consumer<Boolean> done) {
        done.accept(false);
    }

    /** The address book changed (membership is in the log, so addresses come from there). */
    default void updateAddresses(java.util.Map<String, String> addressesById) {}

    @Override
    default void close() {}
}
