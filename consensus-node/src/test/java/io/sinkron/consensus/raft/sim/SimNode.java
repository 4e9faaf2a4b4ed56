package io.sinkron.consensus.raft.sim;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.Message;
import io.sinkron.consensus.raft.Raft;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.SnapshotMeta;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One simulated node: a {@link Raft} core plus the storage that survives its crashes. Only what a
 * completed disk write wrote is durable; a crash loses the writes still in flight except a random
 * prefix of them, as a power cut loses part of a page cache.
 */
final class SimNode {

    /**
     * One write handed to the disk, durable at {@code dueAt}: hard state and entries, or (when
     * {@code resetLog}) emptying the log after an installed snapshot.
     */
    record DiskWrite(
            long dueAt,
            HardState hardState,
            List<Entry> entries,
            List<Message> messages,
            long generation,
            boolean resetLog) {}

    final String id;
    final RaftConfig config;
    final Membership bootstrap;
    HardState durableHardState = HardState.EMPTY;
    final List<Entry> durableLog = new ArrayList<>();
    final SimStateMachine stateMachine = new SimStateMachine();
    SnapshotMeta durableSnapshot = SnapshotMeta.NONE;
    Map<String, String> durableSnapshotData = Map.of();
    /** Snapshot data received from leaders, by "index:term", until the core installs it. */
    final Map<String, Map<String, String>> incomingSnapshots = new HashMap<>();
    /** Removed from the configuration: ignored by convergence checks. */
    boolean removed;

    /** Writes in flight, in the order they were handed to the disk. */
    final ArrayDeque<DiskWrite> disk = new ArrayDeque<>();

    long lastDiskDue;
    Raft raft;
    boolean up = true;
    /** Paused nodes keep their state but neither tick nor receive (SIGSTOP). */
    boolean paused;

    SimNode(String id, RaftConfig config, Membership bootstrap, RandomGenerator random) {
        this.id = id;
        this.config = config;
        this.bootstrap = bootstrap;
        this.raft = new Raft(config, durableHardState, List.of(), bootstrap, random);
    }

    /** Power cut: a random prefix of the writes in flight reached the disk, the rest is lost. */
    void crash(RandomGenerator random) {
        int whole = random.nextInt(disk.size() + 1);
        for (int i = 0; i < whole; i++) {
            land(disk.poll());
        }
        DiskWrite torn = disk.poll();
        if (torn != null && !torn.resetLog()) {
            if (torn.hardState() != null && random.nextBoolean()) {
                durableHardState = torn.hardState();
            }
            persistEntries(torn.entries(), random.nextInt(torn.entries().size() + 1));
        }
        disk.clear();
        up = false;
        raft = null;
    }

    /** A write reached the disk. */
    void land(DiskWrite w) {
        if (w.resetLog()) {
            durableLog.clear();
            return;
        }
        if (w.hardState() != null) {
            durableHardState = w.hardState();
        }
        persistEntries(w.entries(), w.entries().size());
    }

    void restart(RandomGenerator random) {
        stateMachine.reset();
        stateMachine.restore(durableSnapshotData, durableSnapshot.index());
        incomingSnapshots.clear();
        var entries = logAfterSnapshot();
        raft = new Raft(config, durableHardState, durableSnapshot, entries, bootstrap, random);
        up = true;
        paused = false;
    }

    /**
     * The durable log that continues the durable snapshot, as the WAL storage recovers it: a log
     * that holds the snapshot's last entry with another term, or ends before it, was replaced by
     * the snapshot (the crash came before the log reset landed) and is discarded whole.
     */
    private List<Entry> logAfterSnapshot() {
        long index = durableSnapshot.index();
        if (index == 0 || durableLog.isEmpty()) {
            return List.copyOf(durableLog);
        }
        if (durableLog.getLast().index() <= index) {
            return List.of();
        }
        long first = durableLog.getFirst().index();
        if (first <= index && durableLog.get((int) (index - first)).term() != durableSnapshot.term()) {
            return List.of();
        }
        return durableLog.stream().filter(e -> e.index() > index).toList();
    }

    /**
     * Installs a snapshot: the snapshot is durable at once, the log reset follows the writes
     * already in flight, as the driver hands it to its log writer.
     */
    void installSnapshot(SnapshotMeta meta, Map<String, String> data, long now) {
        durableSnapshot = meta;
        durableSnapshotData = data;
        lastDiskDue = Math.max(lastDiskDue, now);
        disk.add(new DiskWrite(lastDiskDue, null, List.of(), List.of(), -1, true));
        stateMachine.restore(data, meta.index());
    }

    /** Takes a snapshot at the applied index and compacts the log up to {@code keep} entries before it. */
    void takeSnapshot(int keep) {
        long index = stateMachine.applied;
        if (index <= durableSnapshot.index() || index <= raft.snapshotIndex()) {
            return;
        }
        var meta = new SnapshotMeta(index, raft.termAt(index), raft.membershipAt(index));
        durableSnapshot = meta;
        durableSnapshotData = stateMachine.copy();
        raft.snapshotTaken(meta);
        long compactTo = Math.max(raft.snapshotIndex(), index - keep);
        raft.compact(compactTo);
        durableLog.removeIf(e -> e.index() <= compactTo);
    }

    /** Writes entries as the WAL would: truncate from the first new index, then append. */
    void persistEntries(List<Entry> entries, int count) {
        if (entries.isEmpty() || count == 0) {
            return;
        }
        long first = entries.getFirst().index();
        while (!durableLog.isEmpty() && durableLog.getLast().index() >= first) {
            durableLog.removeLast();
        }
        durableLog.addAll(entries.subList(0, count));
    }
}
