package io.sinkron.consensus.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SnapshotScheduleTest {

    @Test
    void a_single_member_snapshots_every_policy_entries_from_index_zero() {
        assertThat(RaftDriver.nextSnapshotAt(0, 100_000, 0, 1)).isEqualTo(100_000);
        assertThat(RaftDriver.nextSnapshotAt(100_000, 100_000, 0, 1)).isEqualTo(200_000);
        // After a snapshot taken on request off the grid, the next one goes back onto it.
        assertThat(RaftDriver.nextSnapshotAt(120_000, 100_000, 0, 1)).isEqualTo(200_000);
    }

    @Property(tries = 500)
    void members_snapshot_on_grids_of_their_own_between_half_and_one_and_a_half_periods_apart(
            @ForAll @LongRange(min = 0, max = 10_000_000) long snapshotIndex,
            @ForAll @LongRange(min = 2, max = 1_000_000) long entries,
            @ForAll @IntRange(min = 1, max = 7) int members) {
        var residues = new HashSet<Long>();
        for (int rank = 0; rank < members; rank++) {
            long next = RaftDriver.nextSnapshotAt(snapshotIndex, entries, rank, members);
            assertThat(next).isGreaterThanOrEqualTo(snapshotIndex + entries / 2);
            assertThat(next).isLessThan(snapshotIndex + entries / 2 + entries);
            assertThat(Math.floorMod(next, entries)).isEqualTo(entries * rank / members);
            residues.add(Math.floorMod(next, entries));
        }
        if (entries >= members) {
            assertThat(residues).as("one grid per member").hasSize(members);
        }
    }
}
