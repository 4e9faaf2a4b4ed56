package io.sinkron.consensus.storage;

import io.sinkron.consensus.node.RaftStorage;
import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@link RaftStorage} on disk: a {@link SegmentedWal} for the log and a {@link HardStateStore}. */
public final class WalRaftStorage implements RaftStorage {

    private final SegmentedWal wal;
    private final HardStateStore hardStateStore;
    private final HardState initialHardState;

    private WalRaftStorage(SegmentedWal wal, HardStateStore hardStateStore) {
        this.wal = wal;
        this.hardStateStore = hardStateStore;
        this.initialHardState = hardStateStore.load();
    }

    /**
     * Opens (creating if needed) the storage under {@code dir}: {@code dir/wal} holds the log
     * segments, {@code dir/raft} the hard state. A torn tail is cut; corruption throws.
     */
    public static WalRaftStorage open(Path dir, WalOptions options) throws IOException {
        Files.createDirectories(dir);
        var wal = SegmentedWal.open(dir.resolve("wal"), options);
        var hs = HardStateStore.open(dir.resolve("raft"));
        return new WalRaftStorage(wal, hs);
    }

    @Override
    public HardState initialHardState() {
        return initialHardState;
    }

    @Override
    public List<Entry> initialEntries() {
        return wal.recoveredEntries();
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

    public SegmentedWal wal() {
        return wal;
    }

    @Override
    public void close() throws IOException {
        wal.close();
    }
}
