package io.sinkron.consensus.statemachine.queue;

import java.util.Arrays;

/**
 * Due times of in-flight and delayed messages: a binary min-heap of {@code (time, message id)}
 * pairs in two primitive arrays. Pairs are ordered by time, then id, so that messages due at the
 * same log time are handled in the same order on every replica and after a restore.
 *
 * <p>Entries are never removed early: when a message is acknowledged or its lease is extended the
 * old entry stays and is recognised as stale when it comes due (the message is gone, or its due
 * time is no longer the entry's).
 */
final class TimerQueue {

    private long[] times = new long[8];
    private long[] ids = new long[8];
    private int size;

    void add(long time, long id) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            ids = Arrays.copyOf(ids, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(time, id, times[parent], ids[parent])) {
                break;
            }
            times[i] = times[parent];
            ids[i] = ids[parent];
            i = parent;
        }
        times[i] = time;
        ids[i] = id;
    }

    /** The earliest due time, or {@link Long#MAX_VALUE} if there is none. */
    long peekTime() {
        return size == 0 ? Long.MAX_VALUE : times[0];
    }

    long peekId() {
        return ids[0];
    }

    void poll() {
        size--;
        long time = times[size];
        long id = ids[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && less(times[child + 1], ids[child + 1], times[child], ids[child])) {
                child++;
            }
            if (!less(times[child], ids[child], time, id)) {
                break;
            }
            times[i] = times[child];
            ids[i] = ids[child];
            i = child;
        }
        if (size > 0) {
            times[i] = time;
            ids[i] = id;
        }
        if (size == 0 && times.length > 64) {
            times = new long[8];
            ids = new long[8];
        }
    }

    private static boolean less(long t1, long id1, long t2, long id2) {
        return t1 < t2 || (t1 == t2 && id1 < id2);
    }
}
