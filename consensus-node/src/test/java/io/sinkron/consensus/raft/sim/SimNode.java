package io.sinkron.consensus.raft.sim;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.Raft;
import io.sinkron.consensus.raft.RaftConfig;
import java.util.ArrayList;
import java.util.List;
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
        raft = new Raft(config, durableHardState, List.copyOf(durableLog), bootstrap, random);
        up = true;
        paused = false;
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
