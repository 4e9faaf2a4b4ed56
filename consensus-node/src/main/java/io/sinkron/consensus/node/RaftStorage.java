package io.sinkron.consensus.node;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.HardState;
import java.io.IOException;
import java.util.List;

/**
 * Stable storage as the driver uses it. Called from the driver thread only.
 *
 * <p>Ordering contract: the driver calls {@link #saveHardState} and {@link #append} then
 * {@link #sync}, and only afterwards sends the messages that promise durability (votes, append
 * acknowledgements) or counts the entries toward the leader's own match index.
 */
public interface RaftStorage extends AutoCloseable {

    /** What was durable when the storage was opened. */
    HardState initialHardState();

    /** The log recovered at open, contiguous from index 1. */
    List<Entry> initialEntries();

    /** When this method returns, {@code hardState} is durable. */
    void saveHardState(HardState hardState) throws IOException;

    /**
     * Writes {@code entries}, first discarding any stored entry at or after the first one's index.
     * Not durable until {@link #sync()}.
     */
    void append(List<Entry> entries) throws IOException;

    /** When this method returns, every entry appended before is durable. */
    void sync() throws IOException;

    @Override
    void close() throws IOException;
}
