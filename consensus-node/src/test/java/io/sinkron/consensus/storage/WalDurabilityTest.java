package io.sinkron.consensus.storage;

import static io.sinkron.consensus.storage.WalTestEntries.TINY;
import static io.sinkron.consensus.storage.WalTestEntries.entries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What survives a power failure, checked with {@link CrashingFileIo}: it keeps only data that was
 * forced and names whose directory was synced, so skipping either in the WAL fails these tests.
 */
class WalDurabilityTest {

    private static final String SEGMENT_1 = "00000000000000000001.wal";

    @TempDir
    Path dir;

    private final CrashingFileIo io = new CrashingFileIo();

    @Test
    void when_sync_returns_then_the_data_was_written_and_forced_and_the_new_segment_name_synced() throws IOException {
        // Without preallocation, so that the data is the only write.
        var options = new WalOptions(WalOptions.DEFAULTS.segmentBytes(), WalOptions.DEFAULTS.bufferBytes());
        try (var wal = SegmentedWal.open(dir, options, io)) {
            wal.append(entries(1, 10));
            assertThat(io.events()).as("append only buffers").containsExactly("create " + SEGMENT_1);

            wal.sync();

            assertThat(io.events())
                    .containsExactly(
                            "create " + SEGMENT_1,
                            "write " + SEGMENT_1,
                            "force " + SEGMENT_1,
                            "syncdir " + dir.getFileName());
            io.clearEvents();

            wal.append(entries(11, 20));
            wal.sync();

            assertThat(io.events())
                    .as("no new segment, no directory sync")
                    .containsExactly("write " + SEGMENT_1, "force " + SEGMENT_1);
        }
    }

    @Test
    void when_nothing_changed_then_sync_does_no_io() throws IOException {
        try (var wal = SegmentedWal.open(dir, TINY, io)) {
            wal.sync();
            wal.append(entries(1, 50));
            wal.sync();
            io.clearEvents();

            wal.sync();

            assertThat(io.events()).isEmpty();
        }
    }

    @Test
    void when_synced_then_entries_in_every_segment_survive_a_crash() throws IOException {
        var wal = SegmentedWal.open(dir, TINY, io);
        for (long first = 1; first <= 100; first += 10) {
            wal.append(entries(first, first + 9));
            wal.sync();
        }

        io.crash();

        try (var reopened = SegmentedWal.open(dir, TINY, io)) {
            assertThat(reopened.recoveredEntries()).containsExactlyElementsOf(entries(1, 100));
        }
    }

    @Test
    void when_a_crash_hits_before_sync_then_only_the_unsynced_entries_are_lost() throws IOException {
        var wal = SegmentedWal.open(dir, WalOptions.DEFAULTS, io);
        wal.append(entries(1, 10));
        wal.sync();
        wal.append(entries(11, 15));

        io.crash();

        try (var reopened = SegmentedWal.open(dir, WalOptions.DEFAULTS, io)) {
            assertThat(reopened.recoveredEntries()).containsExactlyElementsOf(entries(1, 10));
        }
    }

    @Test
    void when_a_crash_hits_after_rollovers_then_a_prefix_including_all_synced_entries_survives() throws IOException {
        var wal = SegmentedWal.open(dir, TINY, io);
        wal.append(entries(1, 50));
        wal.sync();
        wal.append(entries(51, 120));

        io.crash();

        try (var reopened = SegmentedWal.open(dir, TINY, io)) {
            var recovered = reopened.recoveredEntries();
            assertThat(recovered.size()).isBetween(50, 120);
            assertThat(recovered).containsExactlyElementsOf(entries(1, recovered.size()));
        }
    }

    @Test
    void when_truncate_suffix_returns_then_it_survives_a_crash() throws IOException {
        var wal = SegmentedWal.open(dir, TINY, io);
        wal.append(entries(1, 60));
        wal.sync();

        wal.truncateSuffix(25);
        io.crash();

        try (var reopened = SegmentedWal.open(dir, TINY, io)) {
            assertThat(reopened.recoveredEntries()).containsExactlyElementsOf(entries(1, 24));
        }
    }

    @Test
    void when_compact_prefix_returns_then_it_survives_a_crash() throws IOException {
        var wal = SegmentedWal.open(dir, TINY, io);
        wal.append(entries(1, 60));
        wal.sync();

        wal.compactPrefix(30);
        long firstIndex = wal.firstIndex();
        io.crash();

        try (var reopened = SegmentedWal.open(dir, TINY, io)) {
            assertThat(reopened.firstIndex()).isEqualTo(firstIndex).isGreaterThan(1);
            assertThat(reopened.recoveredEntries()).containsExactlyElementsOf(entries(firstIndex, 60));
        }
    }

    @Test
    void when_a_force_fails_then_the_wal_refuses_further_use() throws IOException {
        try (var wal = SegmentedWal.open(dir, TINY, io)) {
            wal.append(entries(1, 5));
            io.failNextForce();

            assertThatThrownBy(wal::sync).isInstanceOf(IOException.class);
            assertThatThrownBy(wal::sync)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reopen");
            assertThatThrownBy(() -> wal.append(entries(6, 6))).isInstanceOf(IllegalStateException.class);
        }
    }
}
