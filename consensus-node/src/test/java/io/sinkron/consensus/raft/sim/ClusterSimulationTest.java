package io.sinkron.consensus.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation of whole clusters under message loss, duplication, delay and reordering,
 * partitions, pauses, and crashes that lose the unsynced tail, including crashes while a node's
 * asynchronous disk writes are in flight (some of its entries applied, none acknowledged). Safety is checked after every
 * simulated millisecond; after the faults stop, the cluster must elect a leader, converge, and
 * hold every acknowledged write.
 *
 * <p>{@code -Dsinkron.sim.seeds=N} sets the number of seeds per cluster size (the {@code soak}
 * profile raises it), {@code -Dsinkron.sim.baseSeed=S} moves the window of seeds.
 */
class ClusterSimulationTest {

    private static final int SEEDS = Integer.getInteger("sinkron.sim.seeds", 2000);
    private static final long BASE_SEED = Long.getLong("sinkron.sim.baseSeed", 20261126L);

    @Test
    void three_node_clusters_keep_every_safety_property_under_faults() {
        int crashesMidWrite = 0;
        for (int i = 0; i < SEEDS; i++) {
            crashesMidWrite += runSeed(BASE_SEED + i, 3).crashesMidWrite;
        }
        assertThat(crashesMidWrite)
                .as("crashes between handing a write to the disk and its completion")
                .isPositive();
    }

    @Test
    void five_node_clusters_keep_every_safety_property_under_faults() {
        for (int i = 0; i < SEEDS; i++) {
            runSeed(BASE_SEED + 1_000_000 + i, 5);
        }
    }

    @Test
    void replay() {
        Long seed = Long.getLong("sinkron.sim.seed");
        Assumptions.assumeTrue(seed != null, "set -Dsinkron.sim.seed to replay one run");
        long offset = seed - BASE_SEED;
        if (offset >= 3_000_000) {
            runSeed(seed, 3 + 2 * (int) (offset % 2), true);
        } else {
            runSeed(seed, offset >= 1_000_000 ? 5 : 3);
        }
    }

    @Test
    void the_history_checker_catches_reads_served_without_read_index() {
        // A deliberately broken cluster that answers reads from any replica's local state must be
        // caught: otherwise a passing run above would prove nothing about linearizability.
        boolean caught = false;
        for (int i = 0; i < 200 && !caught; i++) {
            long seed = BASE_SEED + 7_000_000 + i;
            var cluster = new SimulatedCluster(seed, 3, Faults.random(new SplittableRandom(seed)));
            cluster.unsafeLocalReads = true;
            cluster.runFor(4_000, true, true);
            caught = !HistoryCheck.check(cluster.history).ok();
        }
        assertThat(caught).as("stale local reads were detected in some seed").isTrue();
    }

    @Test
    void clusters_that_snapshot_change_membership_and_transfer_leadership_stay_safe() {
        int installs = 0;
        int changes = 0;
        int transfers = 0;
        for (int i = 0; i < SEEDS / 2; i++) {
            var cluster = runSeed(BASE_SEED + 3_000_000 + i, 3 + 2 * (i % 2), true);
            installs += cluster.snapshotsInstalled;
            changes += cluster.membershipChanges;
            transfers += cluster.transfers;
        }
        assertThat(installs).as("snapshots installed by followers").isPositive();
        assertThat(changes).as("membership changes proposed").isPositive();
        assertThat(transfers).as("leadership transfers started").isPositive();
    }

    static SimulatedCluster runSeed(long seed, int size) {
        return runSeed(seed, size, false);
    }

    static SimulatedCluster runSeed(long seed, int size, boolean reconfigure) {
        var cluster = new SimulatedCluster(seed, size, Faults.random(new SplittableRandom(seed ^ 0x5DEECE66DL)));
        cluster.reconfigure = reconfigure;
        cluster.runFor(4_000, true, true);
        cluster.heal();
        cluster.runFor(1_500, true, false);
        cluster.runFor(2_500, false, false);
        String leader = cluster.leader();
        if (leader == null) {
            cluster.fail("no leader 4 s after the faults stopped");
        }
        long commit = cluster.nodes.get(leader).raft.commitIndex();
        for (SimNode n : cluster.members()) {
            if (n.raft.commitIndex() != commit || n.stateMachine.applied != commit) {
                cluster.fail(n.id + " did not converge: commit " + n.raft.commitIndex() + ", applied "
                        + n.stateMachine.applied + ", leader's commit " + commit + ", leader's view "
                        + cluster.nodes.get(leader).raft.progressOf(n.id) + ", " + n.raft.role() + " in term "
                        + n.raft.term() + " following " + n.raft.leaderId() + ", members "
                        + cluster.nodes.get(leader).raft.membership());
            }
        }
        cluster.checkLogMatching();
        cluster.checkNoAcknowledgedWriteLost();
        var linearizable = HistoryCheck.check(cluster.history);
        if (!linearizable.ok()) {
            cluster.fail("client history is not linearizable: " + linearizable);
        }
        assertThat(commit).as("seed %d made progress", seed).isPositive();
        return cluster;
    }
}
