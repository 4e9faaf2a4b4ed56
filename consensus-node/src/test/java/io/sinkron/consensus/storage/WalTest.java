package io.sinkron.consensus.storage;

import static io.sinkron.consensus.storage.WalTestEntries.TINY;
import static io.sinkron.consensus.storage.WalTestEntries.entries;
import static io.sinkron.consensus.storage.WalTestEntries.entry;
import static io.sinkron.consensus.storage.WalTestEntries.firstIndexOf;
import static io.sinkron.consensus.storage.WalTestEntries.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.EntryType;
import io.sinkron.consensus.raft.HardState;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {

    @TempDir
    Path tmp;

    @Test
    void when_entries_are_synced_then_reopen_recovers_them_across_segments() throws IOException {
        var dir = tmp.resolve("wal");
        var written = entries(1, 500);
        try (var wal = SegmentedWal.open(dir, TINY)) {
            wal.append(written.subList(0, 200));
            wal.append(written.subList(200, 500));
            wal.sync();
        }

        var segments = segmentFiles(dir);
        assertThat(segments).hasSizeGreaterThan(10);
        for (var segment : segments) {
            assertThat(Files.size(segment)).isPositive().isLessThanOrEqualTo(TINY.segmentBytes());
        }
        try (var wal = SegmentedWal.open(dir, TINY)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(written);
            assertThat(wal.firstIndex()).isEqualTo(1);
            assertThat(wal.lastIndex()).isEqualTo(500);
            for (var segment : segments) {
                long first = firstIndexOf(segment);
                assertThat(wal.recoveredEntries().get((int) first - 1).index()).isEqualTo(first);
            }
        }
    }

    @Test
    void when_log_is_reopened_then_appending_continues_in_the_last_segment() throws IOException {
        try (var wal = SegmentedWal.open(tmp, WalOptions.DEFAULTS)) {
            wal.append(entries(1, 10));
            wal.sync();
        }
        try (var wal = SegmentedWal.open(tmp, WalOptions.DEFAULTS)) {
            wal.append(entries(11, 20));
            wal.sync();
        }
        assertThat(segmentFiles(tmp)).hasSize(1);
        try (var wal = SegmentedWal.open(tmp, WalOptions.DEFAULTS)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(1, 20));
        }
    }

    @Test
    void when_log_is_empty_then_it_reports_no_position_and_accepts_any_first_index() throws IOException {
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.isEmpty()).isTrue();
            assertThat(wal.firstIndex()).isEqualTo(1);
            assertThat(wal.lastIndex()).isZero();
            assertThat(wal.recoveredEntries()).isEmpty();

            wal.append(entries(42, 45));
            wal.sync();
            assertThat(wal.firstIndex()).isEqualTo(42);
            assertThat(wal.lastIndex()).isEqualTo(45);
        }
        assertThat(segmentFiles(tmp))
                .extracting(path -> path.getFileName().toString())
                .containsExactly("00000000000000000042.wal");
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(42, 45));
        }
    }

    @Test
    void when_entries_do_not_follow_the_log_then_append_rejects_the_whole_batch() throws IOException {
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThatThrownBy(() -> wal.append(List.of(entry(0)))).isInstanceOf(IllegalArgumentException.class);
            wal.append(entries(1, 3));

            assertThatThrownBy(() -> wal.append(List.of(entry(5))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected 4");
            assertThatThrownBy(() -> wal.append(List.of(entry(4), entry(6))))
                    .isInstanceOf(IllegalArgumentException.class);
            var tooBig = new Entry(1, 4, EntryType.COMMAND, new byte[(int) TINY.segmentBytes()]);
            assertThatThrownBy(() -> wal.append(List.of(tooBig)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("segment");

            assertThat(wal.lastIndex()).isEqualTo(3);
            wal.append(entries(4, 5));
            wal.sync();
        }
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(1, 5));
        }
    }

    @Test
    void when_entry_is_larger_than_the_write_buffer_then_it_round_trips() throws IOException {
        var options = new WalOptions(1 << 20, WalOptions.MIN_BUFFER_BYTES);
        var data = new byte[10_000];
        new Random(7).nextBytes(data);
        var written = List.of(entry(1), new Entry(1, 2, EntryType.COMMAND, data), entry(3));
        try (var wal = SegmentedWal.open(tmp, options)) {
            wal.append(written);
            wal.sync();
        }
        try (var wal = SegmentedWal.open(tmp, options)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(written);
        }
    }

    @Test
    void when_the_last_record_is_cut_at_any_offset_then_reopen_drops_only_it_and_appending_continues()
            throws IOException {
        var template = tmp.resolve("template");
        var written = entries(1, 40);
        writeSynced(template, written);
        var lastSegmentName = segmentFiles(template).getLast().getFileName();
        long fullSize = Files.size(template.resolve(lastSegmentName));
        long lastRecordStart = fullSize - WalRecord.sizeOf(written.getLast());
        var replacement = entry(40, 99, "new");

        for (long cut = lastRecordStart + 1; cut < fullSize; cut++) {
            var dir = copyOf(template, "cut-" + cut);
            var lastSegment = dir.resolve(lastSegmentName);
            truncate(lastSegment, cut);

            try (var wal = SegmentedWal.open(dir, TINY)) {
                assertThat(wal.recoveredEntries())
                        .as("cut at %d", cut)
                        .containsExactlyElementsOf(written.subList(0, 39));
                assertThat(wal.lastIndex()).isEqualTo(39);
                assertThat(Files.size(lastSegment)).isEqualTo(lastRecordStart);
                wal.append(List.of(replacement));
                wal.sync();
            }
            try (var wal = SegmentedWal.open(dir, TINY)) {
                assertThat(wal.recoveredEntries().getLast()).isEqualTo(replacement);
                assertThat(wal.recoveredEntries()).hasSize(40);
            }
        }
    }

    @Test
    void when_the_newest_segment_holds_only_a_torn_record_then_it_is_removed() throws IOException {
        writeSynced(tmp, entries(1, 40));
        var segments = segmentFiles(tmp);
        var last = segments.getLast();
        truncate(last, 5);
        long lastFirstIndex = firstIndexOf(last);

        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.lastIndex()).isEqualTo(lastFirstIndex - 1);
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(1, lastFirstIndex - 1));
        }
        assertThat(segmentFiles(tmp)).isEqualTo(segments.subList(0, segments.size() - 1));
    }

    @Test
    void when_zeros_follow_the_last_record_then_they_are_kept_and_garbage_is_cut_away() throws IOException {
        writeSynced(tmp, entries(1, 40));
        var last = segmentFiles(tmp).getLast();
        long validSize = Files.size(last);

        Files.write(last, new byte[4096], StandardOpenOption.APPEND);
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(1, 40));
        }
        assertThat(Files.size(last)).as("zeros are preallocated space").isEqualTo(validSize + 4096);

        var garbage = new byte[300];
        new Random(42).nextBytes(garbage);
        Files.write(last, garbage, StandardOpenOption.APPEND);
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(1, 40));
        }
        assertThat(Files.size(last)).isEqualTo(validSize);
    }

    @Test
    void when_a_byte_of_the_last_record_is_flipped_then_it_is_treated_as_a_torn_tail() throws IOException {
        var written = entries(1, 40);
        writeSynced(tmp, written);
        var last = segmentFiles(tmp).getLast();
        long lastRecordStart = Files.size(last) - WalRecord.sizeOf(written.getLast());

        flipByte(last, lastRecordStart + WalRecord.HEADER_BYTES + 3);

        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(written.subList(0, 39));
        }
        assertThat(Files.size(last)).isEqualTo(lastRecordStart);
    }

    @Test
    void when_a_record_followed_by_valid_ones_is_corrupt_then_open_fails_naming_file_and_offset() throws IOException {
        writeSynced(tmp, entries(1, 40));
        var last = segmentFiles(tmp).getLast();
        assertThat(firstIndexOf(last)).as("last segment holds several records").isLessThan(40);
        // Damage the term of the last segment's first record.
        flipByte(last, WalRecord.HEADER_BYTES + 2);

        assertThatThrownBy(() -> SegmentedWal.open(tmp, TINY))
                .isInstanceOfSatisfying(CorruptWalException.class, e -> {
                    assertThat(e.file()).isEqualTo(last);
                    assertThat(e.offset()).isZero();
                })
                .hasMessageContaining(last.getFileName().toString())
                .hasMessageContaining("offset 0")
                .hasMessageContaining("CRC mismatch");
        assertThat(Files.size(last)).as("nothing was cut").isGreaterThan(WalRecord.HEADER_BYTES);
    }

    @Test
    void when_a_record_length_in_the_middle_is_damaged_then_open_fails() throws IOException {
        writeSynced(tmp, entries(1, 40));
        var last = segmentFiles(tmp).getLast();
        assertThat(firstIndexOf(last)).as("last segment holds several records").isLessThan(40);
        flipByte(last, 0);

        assertThatThrownBy(() -> SegmentedWal.open(tmp, TINY))
                .isInstanceOf(CorruptWalException.class)
                .hasMessageContaining(last.getFileName().toString());
    }

    @Test
    void when_the_last_record_of_an_earlier_segment_is_corrupt_then_open_fails() throws IOException {
        writeSynced(tmp, entries(1, 40));
        var first = segmentFiles(tmp).getFirst();
        flipByte(first, Files.size(first) - 1);

        assertThatThrownBy(() -> SegmentedWal.open(tmp, TINY))
                .isInstanceOf(CorruptWalException.class)
                .hasMessageContaining("00000000000000000001.wal");
    }

    @Test
    void when_an_earlier_segment_has_a_torn_tail_then_open_fails() throws IOException {
        writeSynced(tmp, entries(1, 40));
        var first = segmentFiles(tmp).getFirst();
        truncate(first, Files.size(first) - 1);

        assertThatThrownBy(() -> SegmentedWal.open(tmp, TINY))
                .isInstanceOf(CorruptWalException.class)
                .hasMessageContaining("00000000000000000001.wal");
    }

    @Test
    void when_a_segment_is_missing_then_open_reports_the_gap() throws IOException {
        writeSynced(tmp, entries(1, 40));
        var segments = segmentFiles(tmp);
        Files.delete(segments.get(1));

        assertThatThrownBy(() -> SegmentedWal.open(tmp, TINY))
                .isInstanceOf(CorruptWalException.class)
                .hasMessageContaining(segments.get(2).getFileName().toString())
                .hasMessageContaining("previous one ends at");
    }

    @Test
    void when_a_record_holds_an_unexpected_index_then_open_fails() throws IOException {
        writeSynced(tmp, entries(1, 3));
        // Renaming the only segment makes its records disagree with the index its name promises.
        var renamed = tmp.resolve(Segment.fileName(2));
        Files.move(segmentFiles(tmp).getFirst(), renamed);

        assertThatThrownBy(() -> SegmentedWal.open(tmp, TINY))
                .isInstanceOf(CorruptWalException.class)
                .hasMessageContaining(renamed.getFileName().toString())
                .hasMessageContaining("index 1 where 2 was expected");
    }

    @Test
    void when_suffix_is_truncated_across_segments_then_reopen_sees_the_shorter_log() throws IOException {
        var replacements = Stream.iterate(37L, i -> i <= 50, i -> i + 1)
                .map(i -> entry(i, 50, "new"))
                .toList();
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            wal.append(entries(1, 100));
            wal.sync();
            int segmentsBefore = segmentFiles(tmp).size();

            wal.truncateSuffix(37);

            assertThat(wal.lastIndex()).isEqualTo(36);
            assertThat(segmentFiles(tmp))
                    .hasSizeLessThan(segmentsBefore)
                    .allSatisfy(segment -> assertThat(firstIndexOf(segment)).isLessThanOrEqualTo(36));
            wal.append(replacements);
            wal.sync();
        }
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            var expected = new ArrayList<>(entries(1, 36));
            expected.addAll(replacements);
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void when_suffix_is_truncated_at_a_segment_start_then_that_segment_is_deleted() throws IOException {
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            wal.append(entries(1, 100));
            var segments = segmentFiles(tmp);
            long boundary = firstIndexOf(segments.get(3));

            wal.truncateSuffix(boundary);

            assertThat(segmentFiles(tmp)).isEqualTo(segments.subList(0, 3));
            assertThat(wal.lastIndex()).isEqualTo(boundary - 1);
            wal.append(List.of(entry(boundary, 7, "x")));
            wal.sync();
        }
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries().getLast()).isEqualTo(entry(wal.lastIndex(), 7, "x"));
        }
    }

    @Test
    void when_suffix_truncation_removes_everything_then_the_log_is_empty_and_restartable() throws IOException {
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            wal.append(entries(1, 50));
            wal.truncateSuffix(60);
            assertThat(wal.lastIndex()).as("beyond the end is a no-op").isEqualTo(50);

            wal.truncateSuffix(1);

            assertThat(wal.isEmpty()).isTrue();
            assertThat(segmentFiles(tmp)).isEmpty();
            wal.sync();
            wal.append(entries(7, 9));
            wal.sync();
        }
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(7, 9));
        }
    }

    @Test
    void when_prefix_is_compacted_then_only_fully_covered_segments_are_deleted() throws IOException {
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            wal.append(entries(1, 100));
            wal.sync();
            var segments = segmentFiles(tmp);
            long keptFirst = firstIndexOf(segments.get(3));
            long nextFirst = firstIndexOf(segments.get(4));
            assertThat(nextFirst - keptFirst)
                    .as("segment 3 holds several entries")
                    .isGreaterThan(2);

            // Covers segments 0-2 wholly and segment 3 partly.
            wal.compactPrefix(keptFirst + 1);

            assertThat(segmentFiles(tmp)).isEqualTo(segments.subList(3, segments.size()));
            assertThat(wal.firstIndex()).isEqualTo(keptFirst);
            assertThat(wal.lastIndex()).isEqualTo(100);

            // Exactly up to segment 3's last entry deletes it too.
            wal.compactPrefix(nextFirst - 1);
            assertThat(segmentFiles(tmp)).isEqualTo(segments.subList(4, segments.size()));

            wal.append(entries(101, 110));
            wal.sync();
        }
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries().getFirst().index()).isEqualTo(wal.firstIndex());
            assertThat(wal.recoveredEntries()).endsWith(entries(101, 110).toArray(Entry[]::new));
            assertThat(wal.lastIndex()).isEqualTo(110);
        }
    }

    @Test
    void when_prefix_compaction_covers_the_whole_log_then_it_is_empty_and_accepts_a_new_start() throws IOException {
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            wal.append(entries(1, 100));
            wal.sync();
            wal.append(entries(101, 105));

            wal.compactPrefix(105);

            assertThat(wal.isEmpty()).isTrue();
            assertThat(segmentFiles(tmp)).isEmpty();
            wal.append(entries(106, 110));
            wal.sync();
        }
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(106, 110));
        }
    }

    @Test
    void when_the_directory_is_shared_with_the_hard_state_then_each_ignores_the_other() throws IOException {
        var state = new HardState(3, "n2", 5);
        HardStateStore.open(tmp).save(state);
        writeSynced(tmp, entries(1, 20));

        try (var wal = SegmentedWal.open(tmp, TINY)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(1, 20));
        }
        assertThat(HardStateStore.open(tmp).load()).isEqualTo(state);
    }

    @Test
    void counters_track_bytes_and_effective_syncs() throws IOException {
        var written = entries(1, 30);
        try (var wal = SegmentedWal.open(tmp, TINY)) {
            wal.append(written);
            assertThat(wal.bytesWritten())
                    .isEqualTo(written.stream().mapToLong(WalRecord::sizeOf).sum());
            assertThat(wal.syncCount()).isZero();

            wal.sync();
            wal.sync();

            assertThat(wal.syncCount()).isEqualTo(1);
            assertThat(wal.lastSyncNanos()).isPositive();
        }
    }

    @Test
    void when_closed_then_further_use_is_rejected() throws IOException {
        var wal = SegmentedWal.open(tmp, TINY);
        wal.close();
        wal.close();

        assertThatThrownBy(() -> wal.append(entries(1, 1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(wal::sync).isInstanceOf(IllegalStateException.class);
    }

    private static final WalOptions PREALLOCATED = new WalOptions(4096, 64, 1024);

    @Test
    void when_segments_are_preallocated_then_files_run_ahead_of_the_records_and_reopen_recovers_them()
            throws IOException {
        var written = entries(1, 300);
        try (var wal = SegmentedWal.open(tmp, PREALLOCATED)) {
            wal.append(written.subList(0, 150));
            wal.sync();
            wal.append(written.subList(150, 300));
            wal.sync();
        }
        long recordBytes = written.stream().mapToLong(WalRecord::sizeOf).sum();
        long fileBytes = 0;
        for (var segment : segmentFiles(tmp)) {
            fileBytes += Files.size(segment);
            assertThat(Files.size(segment)).isLessThanOrEqualTo(PREALLOCATED.segmentBytes());
        }
        assertThat(segmentFiles(tmp)).hasSizeGreaterThan(1);
        assertThat(fileBytes).isGreaterThan(recordBytes);

        try (var wal = SegmentedWal.open(tmp, PREALLOCATED)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(written);
            wal.append(entries(301, 310));
            wal.sync();
        }
        try (var wal = SegmentedWal.open(tmp, PREALLOCATED)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(entries(1, 310));
        }
    }

    @Test
    void when_the_last_record_of_a_preallocated_segment_is_torn_then_only_it_is_cut() throws IOException {
        var written = entries(1, 40);
        try (var wal = SegmentedWal.open(tmp, PREALLOCATED)) {
            wal.append(written);
            wal.sync();
        }
        var last = segmentFiles(tmp).getLast();
        long end = written.stream()
                .filter(e -> e.index() >= firstIndexOf(last))
                .mapToLong(WalRecord::sizeOf)
                .sum();
        assertThat(Files.size(last)).as("preallocated").isGreaterThan(end);
        long lastRecordStart = end - WalRecord.sizeOf(written.getLast());

        flipByte(last, lastRecordStart + WalRecord.HEADER_BYTES + 3);

        try (var wal = SegmentedWal.open(tmp, PREALLOCATED)) {
            assertThat(wal.recoveredEntries()).containsExactlyElementsOf(written.subList(0, 39));
        }
        assertThat(Files.size(last)).isEqualTo(lastRecordStart);
    }

    @Test
    void when_a_valid_record_follows_a_zeroed_record_header_then_open_fails() throws IOException {
        try (var wal = SegmentedWal.open(tmp, PREALLOCATED)) {
            wal.append(entries(1, 40));
            wal.sync();
        }
        var last = segmentFiles(tmp).getLast();
        assertThat(firstIndexOf(last)).as("last segment holds several records").isLessThan(40);
        var bytes = Files.readAllBytes(last);
        java.util.Arrays.fill(bytes, 0, WalRecord.HEADER_BYTES, (byte) 0);
        Files.write(last, bytes);

        assertThatThrownBy(() -> SegmentedWal.open(tmp, PREALLOCATED))
                .isInstanceOfSatisfying(
                        CorruptWalException.class, e -> assertThat(e.offset()).isZero());
    }

    private static void writeSynced(Path dir, List<Entry> entries) throws IOException {
        try (var wal = SegmentedWal.open(dir, TINY)) {
            wal.append(entries);
            wal.sync();
        }
    }

    private Path copyOf(Path source, String name) throws IOException {
        var target = tmp.resolve(name);
        Files.createDirectories(target);
        for (var file : segmentFiles(source)) {
            Files.copy(file, target.resolve(file.getFileName()));
        }
        return target;
    }

    private static void truncate(Path file, long size) throws IOException {
        try (var channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        var bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x5a;
        Files.write(file, bytes);
    }
}
