package io.sinkron.consensus.storage;

/**
 * Tuning of a {@link SegmentedWal}.
 *
 * @param segmentBytes size at which the log starts a new segment file; a segment never grows past
 *     it, so it also bounds the size of a single record. At most 1 GiB, because recovery reads a
 *     whole segment into one array.
 * @param bufferBytes size of the write buffer that collects appended records between writes to the
 *     file; records larger than it are written straight from the entry's data
 */
public record WalOptions(long segmentBytes, int bufferBytes) {

    /** Largest allowed {@link #segmentBytes}. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    /** 64 MiB segments and a 1 MiB write buffer. */
    public static final WalOptions DEFAULTS = new WalOptions(64L << 20, 1 << 20);

    /** Smallest allowed {@link #bufferBytes}: it must hold at least one record header. */
    static final int MIN_BUFFER_BYTES = 64;

    public WalOptions {
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
