package io.sinkron.consensus.storage;

/**
 * Tuning of a {@link SegmentedWal}.
 *
 * @param segmentBytes size at which the log starts a new segment file; a segment never grows past
 *     it, so it also bounds the size of a single record. At most 1 GiB, because recovery reads a
 *     whole segment into one array.
 * @param bufferBytes size of the write buffer that collects appended records between writes to the
 *     file; records larger than it are written straight from the entry's data
 * @param preallocateBytes how far ahead of its end the last segment is filled with zeros (never past
 *     {@code segmentBytes}); 0 lets the file grow with every write. Overwriting zeros that are
 *     already on disk lets an fdatasync skip the file-size update in the file system's journal
 *     that every write to a growing file needs.
 */
public record WalOptions(long segmentBytes, int bufferBytes, long preallocateBytes) {

    /** Largest allowed {@link #segmentBytes}. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    /** 64 MiB segments, a 1 MiB write buffer, zeros 4 MiB ahead of the end. */
    public static final WalOptions DEFAULTS = new WalOptions(64L << 20, 1 << 20, 4L << 20);

    /** Smallest allowed {@link #bufferBytes}: it must hold at least one record header. */
    static final int MIN_BUFFER_BYTES = 64;

    /** Without preallocation. */
    public WalOptions(long segmentBytes, int bufferBytes) {
        this(segmentBytes, bufferBytes, 0);
    }

    public WalOptions {
        if (preallocateBytes < 0) {
            throw new IllegalArgumentException("preallocateBytes must not be negative, was " + preallocateBytes);
        }
        if (segmentBytes < WalRecord.HEADER_BYTES + WalRecord.FIXED_BODY_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be between "
                    + (WalRecord.HEADER_BYTES + WalRecord.FIXED_BODY_BYTES) + " and " + MAX_SEGMENT_BYTES + ", was "
                    + segmentBytes);
        }
        if (bufferBytes < MIN_BUFFER_BYTES) {
            throw new IllegalArgumentException(
                    "bufferBytes must be at least " + MIN_BUFFER_BYTES + ", was " + bufferBytes);
        }
    }
}
