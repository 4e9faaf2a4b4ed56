package io.sinkron.consensus.storage;

import io.sinkron.consensus.node.RaftStorage;
import io.sinkron.consensus.node.SnapshotFile;
import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.SnapshotMeta;
import io.sinkron.consensus.statemachine.StateMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@link RaftStorage} on disk: a {@link SegmentedWal} in {@code wal/}, a {@link HardStateStore}
 * in {@code raft/} and a {@link SnapshotStore} in {@code snapshots/}.
 */
public final class WalRaftStorage implements RaftStorage {

    private final SegmentedWal wal;
    private final HardStateStore hardStateStore;
    private final SnapshotStore snapshots;
    private final HardState initialHardState;
    private final Optional<SnapshotFile> initialSnapshot;
    private final List<Entry> initialEntries;

    private WalRaftStorage(SegmentedWal wal, HardStateStore hardStateStore, SnapshotStore snapshots)
            throws IOException {
        this.wal = wal;
        this.hardStateStore = hardStateStore;
        this.snapshots = snapshots;
        this.initialHardState = hardStateStore.load();
        this.initialSnapshot = snapshots.latest();
        this.initialEntries = connect(
                wal.recoveredEntries(), initialSnapshot.map(SnapshotFile::meta).orElse(SnapshotMeta.NONE));
    }

    /**
     * Opens (creating if needed) the storage under {@code dir}. A torn WAL tail is cut; corruption,
     * or a damaged newest snapshot, throws.
     */
    public static WalRaftStorage open(Path dir, WalOptions options) throws IOException {
        Files.createDirectories(dir);
        var wal = SegmentedWal.open(dir.resolve("wal"), options);
        var hs = HardStateStore.open(dir.resolve("raft"));
        var snapshots = SnapshotStore.open(dir.resolve("snapshots"));
        return new WalRaftStorage(wal, hs, snapshots);
    }

    /**
     * The part of the stored log that continues {@code snapshot}. A log that holds the snapshot's
     * last entry with another term, or ends before it, was superseded by a snapshot installed from
     * the leader (and the crash came before the log was reset): none of it may be kept, since its
     * entries after the snapshot index could follow a different history.
     */
    static List<Entry> connect(List<Entry> log, SnapshotMeta snapshot) {
        if (snapshot.index() == 0 || log.isEmpty()) {
            return log;
        }
        long first = log.getFirst().index();
        long last = log.getLast().index();
        if (last <= snapshot.index()) {
            return List.of();
        }
        if (first > snapshot.index() + 1) {
            throw new IllegalStateException("log starts at " + first + " after snapshot " + snapshot.index()
                    + ": entries in between are missing");
        }
        if (first == snapshot.index() + 1) {
            return log;
        }
        Entry atSnapshot = log.get((int) (snapshot.index() - first));
        if (atSnapshot.term() != snapshot.term()) {
            return List.of();
        }
        return log.subList((int) (snapshot.index() - first + 1), log.size());
    }

    @Override
    public HardState initialHardState() {
        return initialHardState;
    }

    @Override
    public Optional<SnapshotFile> initialSnapshot() {
        return initialSnapshot;
    }

    @Override
    public List<Entry> initialEntries() {
        return initialEntries;
    }

    @Override
    public void saveHardState(HardState hardState) throws IOException {
        hardStateStore.save(hardState);
    }

    @Override
    public void append(List<Entry> entries) throws IOException {
        long first = entries.getFirst().index();
        if (first <= wal.lastIndex()) {
            wal.truncateSuffix(first);
        }
        wal.append(entries);
    }

    @Override
    public void sync() throws IOException {
        wal.sync();
    }

    @Override
    public SnapshotFile saveSnapshot(SnapshotMeta meta, StateMachine.SnapshotWriter data) throws IOException {
        return snapshots.save(meta, data);
    }

    @Override
    public byte[] readSnapshot(SnapshotFile snapshot) throws IOException {
        return snapshots.readData(snapshot);
    }

    @Override
    public Path incomingSnapshots() {
        return snapshots.incomingDir();
    }

    @Override
    public SnapshotFile adoptSnapshot(Path received) throws IOException {
        return snapshots.adopt(received);
    }

    @Override
    public void resetLog() throws IOException {
        if (!wal.isEmpty()) {
            wal.truncateSuffix(wal.firstIndex());
        }
        wal.sync();
    }

    @Override
    public void compactLog(long index) throws IOException {
        wal.compactPrefix(index);
    }

    public SegmentedWal wal() {
        return wal;
    }

    @Override
    public void close() throws IOException {
        wal.close();
    }
}
