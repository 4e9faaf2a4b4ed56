package io.sinkron.consensus.raft;

/**
 * A linearizable read may be served once the state machine has applied {@code index}
 * (ReadIndex, dissertation §6.4). {@code context} identifies the request that asked for it.
 */
public record ReadState(long context, long index) {}
