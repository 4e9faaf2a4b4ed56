package io.sinkron.consensus.statemachine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A replicated state machine: the extension point locks, queues and caches implement.
 *
 * <p>Contract: {@link #apply} must be deterministic. Given the same commands in the same order,
 * every replica must reach the same state and return the same results. It must therefore never
 * read a clock, a random source or anything outside its arguments; time comes from
 * {@link CommandContext#timestampMillis()}, which the leader wrote into the log. All methods are
 * called from the node's single apply thread, so implementations need no locking.
 */
public interface StateMachine {

    /** The name commands address this state machine by ("kv", "lock", "queue", "cache"). */
    String name();

    /**
     * Applies one committed command and returns its result, which the proposing client receives
     * (and receives again, unchanged, if it retries the same command).
     */
    byte[] apply(CommandContext context, byte[] command);

    /**
     * Log time moved forward to {@code context.timestampMillis()}. Called before every command this
     * group applies and for the leader's periodic clock entries, so leases and TTLs expire at the
     * same log index on every replica even when no client writes. {@code context.clientId()} is
     * empty for clock entries; anything granted here (a lock to the next waiter, say) takes
     * {@code context.index()} as its log index.
     */
    default void advanceTime(CommandContext context) {}

    /** Answers a read-only query against the current applied state. */
    byte[] query(byte[] query);

    /** Writes the whole state; {@link #restore} of the bytes must yield an equal state. */
    void snapshot(DataOutputStream out) throws IOException;

    /**
     * Captures the state for a snapshot without writing it yet. Called on the apply thread; the
     * returned writer runs later on another thread while applying goes on, so it must write the
     * state as it was at this call: an immutable copy, or copy-on-write. The default serializes at
     * once (the whole cost falls on the apply thread); state machines with large state override it
     * to keep the pause short.
     */
    default SnapshotWriter captureSnapshot() throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        snapshot(new DataOutputStream(bytes));
        byte[] data = bytes.toByteArray();
        return out -> out.write(data);
    }

    /** Writes a captured state; see {@link #captureSnapshot()}. */
    @FunctionalInterface
    interface SnapshotWriter {
        void writeTo(DataOutputStream out) throws IOException;
    }

    /** Replaces the whole state with one written by {@link #snapshot}. */
    void restore(DataInputStream in) throws IOException;
}
