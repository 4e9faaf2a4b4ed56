package io.sinkron.consensus.statemachine.queue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The dedup ids a queue has seen within its window, each with the message it enqueued. An entry
 * counts until {@code expiresAt} (log time) whether or not its message is still in the queue, as
 * in SQS FIFO queues: a producer retrying within the window never enqueues twice.
 *
 * <p>Expired entries are dropped from the oldest end as later enqueues pass by; lookups check the
 * expiry themselves, so what has been dropped never changes an answer.
 */
final class DedupWindow {

    record Entry(long messageId, int partition, long sequence, long expiresAt) {}

    private record Recorded(String dedupId, Entry entry) {}

    private final Map<String, Entry> entries = new HashMap<>();
    // In the order recorded, which is expiry order as long as the queue's window is unchanged.
    private final ArrayDeque<Recorded> order = new ArrayDeque<>();

    /** The message first enqueued under {@code dedupId}, or {@code null} if its window has passed. */
    Entry find(String dedupId, long now) {
        Entry e = entries.get(dedupId);
        return e != null && e.expiresAt() > now ? e : null;
    }

    void record(String dedupId, Entry entry) {
        entries.put(dedupId, entry);
        order.addLast(new Recorded(dedupId, entry));
    }

    void prune(long now) {
        while (!order.isEmpty() && order.peekFirst().entry().expiresAt() <= now) {
            Recorded oldest = order.pollFirst();
            // An id recorded again after its window passed has a newer entry, which stays.
            entries.remove(oldest.dedupId(), oldest.entry());
        }
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(order.size());
        for (Recorded r : order) {
            out.writeUTF(r.dedupId());
            out.writeLong(r.entry().messageId());
            out.writeInt(r.entry().partition());
            out.writeLong(r.entry().sequence());
            out.writeLong(r.entry().expiresAt());
        }
    }

    void read(DataInputStream in) throws IOException {
        entries.clear();
        order.clear();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            record(in.readUTF(), new Entry(in.readLong(), in.readInt(), in.readLong(), in.readLong()));
        }
    }
}
