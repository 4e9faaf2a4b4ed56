package io.sinkron.consensus.storage;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.EntryType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

/** Entries and file helpers shared by the storage tests. */
final class WalTestEntries {

    /** Small segments, so a few dozen entries span several files, and a small buffer. */
    static final WalOptions TINY = new WalOptions(256, 64);

    private WalTestEntries() {}

    /** A deterministic entry whose term, type and data size vary with the index. */
    static Entry entry(long index) {
        return entry(index, 1 + index / 10, "v");
    }

    static Entry entry(long index, long term, String tag) {
        var type = EntryType.values()[(int) (index % EntryType.values().length)];
        var data = (tag + index + ";").repeat((int) (index % 5)).getBytes(StandardCharsets.UTF_8);
        return new Entry(term, index, type, data);
    }

    /** Entries {@code from} through {@code to}, inclusive. */
    static List<Entry> entries(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(WalTestEntries::entry).toList();
    }

    /** Segment files of {@code dir}, in index order. */
    static List<Path> segmentFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(path -> path.getFileName().toString().endsWith(".wal"))
                    .sorted()
                    .toList();
        }
    }

    static long firstIndexOf(Path segment) {
        return Segment.parseFirstIndex(segment.getFileName().toString()).orElseThrow();
    }
}
