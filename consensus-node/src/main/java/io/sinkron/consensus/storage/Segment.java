package io.sinkron.consensus.storage;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Bookkeeping for one segment file: which indexes it holds and where each record starts, so a
 * suffix can be cut without rereading the file. Offsets fit in an int because segments are at most
 * {@link WalOptions#MAX_SEGMENT_BYTES}.
 */
final class Segment {

    private static final Pattern NAME = Pattern.compile("(\\d{20})\\.wal");

    private final Path path;
    private final long firstIndex;
    private int[] offsets = new int[64];
    private int count;
    private long sizeBytes;

    Segment(Path path, long firstIndex) {
        this.path = path;
        this.firstIndex = firstIndex;
    }

    /** File name of the segment whose first entry is {@code firstIndex}; names sort by index. */
    static String fileName(long firstIndex) {
        return "%020d.wal".formatted(firstIndex);
    }

    /** The first index encoded in a segment file name, or empty if {@code name} is not a segment. */
    static OptionalLong parseFirstIndex(String name) {
        var matcher = NAME.matcher(name);
        return matcher.matches() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    Path path() {
        return path;
    }

    long firstIndex() {
        return firstIndex;
    }

    /** Index of the last record, or {@code firstIndex() - 1} if the segment holds none. */
    long lastIndex() {
        return firstIndex + count - 1;
    }

    int count() {
        return count;
    }

    /** Bytes of all records, including ones still in the write buffer. */
    long sizeBytes() {
        return sizeBytes;
    }

    /** Records that the next entry's record, of {@code recordBytes}, starts at the current end. */
    void add(long recordBytes) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = (int) sizeBytes;
        sizeBytes += recordBytes;
    }

    /** Byte offset where the record of {@code index} starts. */
    long offsetOf(long index) {
        return offsets[slot(index)];
    }

    /** Forgets the records of {@code index} and after; the file must be cut at {@link #offsetOf}. */
    void truncateFrom(long index) {
        int slot = slot(index);
        sizeBytes = offsets[slot];
        count = slot;
    }

    private int slot(long index) {
        if (index < firstIndex || index > lastIndex()) {
            throw new IllegalArgumentException("index " + index + " not in segment " + path.getFileName() + " ["
                    + firstIndex + ", " + lastIndex() + "]");
        }
        return (int) (index - firstIndex);
    }
}
