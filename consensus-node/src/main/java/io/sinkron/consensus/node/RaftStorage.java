package io.sinkron.consensus.node;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.SnapshotMeta;
import io.sinkron.consensus.statemachine.StateMachine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Stable storage as the driver uses it. The log and hard state methods ({@link #saveHardState},
 * {@link #append}, {@link #sync}, {@link #resetLog}, {@link #compactLog}) are called from the
 * driver's {@link LogWriter} thread only; the snapshot methods from the driver thread, except
 * {@link #saveSnapshot}, which a background thread may call while the driver goes on.
 *
 * <p>Ordering contract: the writer calls {@link #saveHardState} and {@link #append} then
 * {@link #sync}, and only afterwards sends the messages that promise durability (votes, append
 * acknowledgements) or reports the entries durable, so that the leader counts them toward its own
 * match index.
 */
public interface RaftStorage extends AutoCloseable {

    /** What was durable when the storage was opened. */
    HardState initialHardState();

    /** The newest snapshot when the storage was opened, if any. */
    Optional<SnapshotFile> initialSnapshot();

    /**
     * The log recovered at open that continues the initial snapshot: contiguous from the
     * snapshot's index + 1 (or from 1 without a snapshot). Entries that do not connect to the
     * snapshot (a conflicting or shorter log found after installing a leader's snapshot) are
     * discarded.
     */
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

    /**
     * Writes the state machine data {@code data} produces as a snapshot (streamed, so the state is
     * never held in memory as a whole). When this method returns, the snapshot is durable.
     */
    SnapshotFile saveSnapshot(SnapshotMeta meta, StateMachine.SnapshotWriter data) throws IOException;

    /** The state machine data of a snapshot, checksum verified. */
    byte[] readSnapshot(SnapshotFile snapshot) throws IOException;

    /** Where received snapshots are staged while they stream in. */
    Path incomingSnapshots();

    /** Makes a fully received snapshot the newest one, durably. */
    SnapshotFile adoptSnapshot(Path received) throws IOException;

    /** Durably empties the log (after installing a snapshot that replaces it). */
    void resetLog() throws IOException;

    /** Drops stored entries up to {@code index} where whole files allow. */
    void compactLog(long index) throws IOException;

    @Override
    void close() throws IOException;
}
