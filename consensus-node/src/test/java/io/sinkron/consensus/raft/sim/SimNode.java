package io.sinkron.consensus.raft.sim;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.Raft;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One simulated node: a {@link Raft} core plus the storage that survives its crashes. Only what a
 * completed persist step wrote is durable; a crash loses the rest, as a power cut loses a page
 * cache.
 */
final class SimNode {

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

    void crash() {
        up = false;
        raft = null;
    }

    void restart(RandomGenerator random) {
        stateMachine.reset();
        stateMachine.restore(durableSnapshotData, durableSnapshot.index());
        incomingSnapshots.clear();
        var entries = durableLog.stream()
                .filter(e -> e.index() > durableSnapshot.index())
                .toList();
        raft = new Raft(config, durableHardState, durableSnapshot, entries, bootstrap, random);
        up = true;
        paused = false;
    }

    /** Installs a snapshot durably: the snapshot first, then an empty log after it. */
    void installSnapshot(SnapshotMeta meta, Map<String, String> data) {
        durableSnapshot = meta;
        durableSnapshotData = data;
        durableLog.clear();
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
