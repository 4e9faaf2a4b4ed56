package io.sinkron.consensus.raft;

import java.util.ArrayDeque;

/**
 * The AppendEntries a leader has sent to one follower and not yet seen acknowledged, bounded by
 * count and by bytes so a slow follower cannot make the leader buffer without limit.
 */
final class Inflights {

    private record Flight(long lastIndex, long bytes) {}

    private final int maxCount;
    private final long maxBytes;
    private final ArrayDeque<Flight> flights = new ArrayDeque<>();
    private long bytes;

    Inflights(int maxCount, long maxBytes) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    void add(long lastIndex, long size) {
        flights.addLast(new Flight(lastIndex, size));
        bytes += size;
    }

    /** Frees every flight whose last index is at or below {@code index} (it was acknowledged). */
    void freeUpTo(long index) {
        while (!flights.isEmpty() && flights.peekFirst().lastIndex() <= index) {
            bytes -= flights.removeFirst().bytes();
        }
    }

    boolean full() {
        return flights.size() >= maxCount || bytes >= maxBytes;
    }

    int count() {
        return flights.size();
    }

    void reset() {
        flights.clear();
        bytes = 0;
    }
}
