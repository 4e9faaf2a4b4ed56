package io.sinkron.consensus.raft;

import java.util.Objects;

/**
 * One entry of the replicated log.
 *
 * <p>Entries are immutable once created; {@code data} is never modified after construction and is
 * shared, not copied, between the log, the storage and the transport.
 */
public record Entry(long term, long index, EntryType type, byte[] data) {

    private static final byte[] EMPTY = new byte[0];

    public Entry {
        Objects.requireNonNull(type, "type");
        data = data == null ? EMPTY : data;
    }

    public static Entry noop(long term, long index) {
        return new Entry(term, index, EntryType.NOOP, EMPTY);
    }

    /** Bytes this entry costs in a message or on disk, used to bound batches. */
    public int sizeBytes() {
        return data.length + 24;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e
                && term == e.term
                && index == e.index
                && type == e.type
                && java.util.Arrays.equals(data, e.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(term, index, type, java.util.Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "Entry{" + index + "@" + term + " " + type + " " + data.length + "B}";
    }
}
