package io.sinkron.consensus.raft;

import java.util.List;

/**
 * Everything the driver must do after feeding the core some input, in this order:
 *
 * <ol>
 *   <li>install {@link #snapshot()} if not null (a follower received it: restore the state
 *       machines from its data, durably replace the stored log with an empty one after it);
 *   <li>persist {@link #hardState()} (if not null) and {@link #entries()} — truncating the stored
 *       log from the first entry's index — and fsync when {@link #mustSync()};
 *   <li>send {@link #messages()} (only after step 1: a vote or an append acknowledgement promises
 *       durability; {@link #isSendableBeforePersist} names the ones that may go earlier);
 *   <li>apply {@link #committedEntries()} to the state machines and serve {@link #readStates()};
 *   <li>call {@link Raft#advance(Ready)}.
 * </ol>
 *
 * <p>With asynchronous storage writes the driver instead hands step 2 to a storage thread together
 * with the messages of step 3 that promise durability (they leave only once the write is durable,
 * in the order the Readys were produced), does steps 3 and 4 for the rest at once, calls {@link
 * Raft#advanceApplied(Ready)}, and reports the write through {@link Raft#persisted} when it is
 * durable. A committed entry may be applied before the local copy is durable: it is durable on a
 * majority already (dissertation §10.2.1).
 *
 * @param generation the log generation the entries belong to; see {@link Raft#persisted}
 */
public record Ready(
        SoftState softState,
        HardState hardState,
        SnapshotMeta snapshot,
        List<Entry> entries,
        List<Message> messages,
        List<Entry> committedEntries,
        List<ReadState> readStates,
        long generation) {

    public boolean mustSync() {
        return hardState != null || !entries.isEmpty() || snapshot != null;
    }

    /**
     * A leader's AppendEntries and heartbeats may leave before its own log is durable
     * (dissertation §10.2.1): its term is already durable, and its own unsynced entries do not
     * count toward commitment until {@link Raft#advance} reports them stored. So may its
     * TimeoutNow: it promises nothing about the leader's storage, and the target campaigns with
     * its own log, which already holds every entry of the leader's (it acknowledged them, and
     * acknowledgements leave only once durable). Waiting for the leader's fsync would only eat
     * into the election timeout the transfer has (dissertation §3.10).
     */
    public static boolean isSendableBeforePersist(Message m) {
        return m instanceof Message.AppendRequest
                || m instanceof Message.HeartbeatRequest
                || m instanceof Message.TimeoutNow;
    }
}
