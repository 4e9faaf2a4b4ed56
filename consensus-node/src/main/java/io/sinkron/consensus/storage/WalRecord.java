package io.sinkron.consensus.storage;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.EntryType;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of one log entry:
 *
 * <pre>
 * [length int][crc32c int][term long][index long][type byte][data bytes]
 * </pre>
 *
 * <p>{@code length} counts the bytes after the checksum field (term through data) and the CRC32C
 * covers exactly those bytes. All numbers are big-endian.
 */
final class WalRecord {

    /** Length and checksum fields. */
    static final int HEADER_BYTES = 8;

    /** Term, index and type: the part of the checksummed body that every record has. */
    static final int FIXED_BODY_BYTES = 17;

    private WalRecord() {}

    /** Bytes the record of {@code entry} takes on disk. */
    static long sizeOf(Entry entry) {
        return HEADER_BYTES + FIXED_BODY_BYTES + (long) entry.data().length;
    }

    /** What {@link #decode} found at an offset. */
    sealed interface Decoded permits Valid, Invalid {}

    /** A well-formed record holding {@code entry}; the next record starts at {@code nextOffset}. */
    record Valid(Entry entry, int nextOffset) implements Decoded {}

    /**
     * Not a well-formed record.
     *
     * @param mayBeTorn whether a crash in the middle of writing could have produced this: a partial
     *     record or a checksum mismatch may be a torn write, whereas a record whose checksum matches
     *     but whose content is impossible was written wrong and never is
     */
    record Invalid(String reason, boolean mayBeTorn) implements Decoded {}

    /** Decodes the record at {@code offset} of {@code image}, which holds file bytes up to {@code limit}. */
    static Decoded decode(ByteBuffer image, int offset, int limit, CRC32C crc) {
        int remaining = limit - offset;
        if (remaining < HEADER_BYTES) {
            return new Invalid("partial record header (" + remaining + " bytes)", true);
        }
        int length = image.getInt(offset);
        if (length < FIXED_BODY_BYTES) {
            return new Invalid("impossible record length " + length, true);
        }
        if (length > remaining - HEADER_BYTES) {
            return new Invalid("record length " + length + " runs past the end of the file", true);
        }
        if (!checksumMatches(image, offset, length, crc)) {
            return new Invalid("CRC mismatch", true);
        }
        int body = offset + HEADER_BYTES;
        long term = image.getLong(body);
        long index = image.getLong(body + 8);
        int typeCode = image.get(body + 16) & 0xff;
        EntryType type;
        try {
            type = EntryType.ofCode(typeCode);
        } catch (IllegalArgumentException e) {
            return new Invalid("unknown entry type " + typeCode + " in a record with a valid checksum", false);
        }
        var data = new byte[length - FIXED_BODY_BYTES];
        image.get(body + FIXED_BODY_BYTES, data);
        return new Valid(new Entry(term, index, type, data), body + length);
    }

    /**
     * Offset of the first position at or after {@code from} where a complete record with a matching
     * checksum starts, or -1. Used to tell a torn tail (nothing valid follows) from damage in the
     * middle of the log; only runs on the recovery path after a bad record was found.
     */
    static int findValidRecord(ByteBuffer image, int from, int limit, CRC32C crc) {
        for (int offset = from; offset <= limit - HEADER_BYTES - FIXED_BODY_BYTES; offset++) {
            int length = image.getInt(offset);
            // Cheap plausibility check first, so zero-filled or random tails rarely reach the CRC.
            if (length >= FIXED_BODY_BYTES
                    && length <= limit - offset - HEADER_BYTES
                    && checksumMatches(image, offset, length, crc)) {
                return offset;
            }
        }
        return -1;
    }

    private static boolean checksumMatches(ByteBuffer image, int offset, int length, CRC32C crc) {
        crc.reset();
        crc.update(image.slice(offset + HEADER_BYTES, length));
        return (int) crc.getValue() == image.getInt(offset + 4);
    }
}
