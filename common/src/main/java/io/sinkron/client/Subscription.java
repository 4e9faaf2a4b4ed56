package io.sinkron.client;

/**
 * A live subscription to state-machine events, from {@link ConsensusClient#events}. It keeps
 * re-subscribing whenever its stream breaks until it is closed.
 */
public interface Subscription extends AutoCloseable {

    /**
     * Whether a stream is currently established (the node accepted it by sending headers or an
     * event) and has not broken since.
     */
    boolean isConnected();

    /**
     * Stops the subscription and its stream. A listener call already running may finish, but none
     * starts after this returns. Idempotent.
     */
    @Override
    void close();
}
