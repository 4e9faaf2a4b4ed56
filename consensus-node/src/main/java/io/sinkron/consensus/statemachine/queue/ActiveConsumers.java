package io.sinkron.consensus.statemachine.queue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/** The consumers of a queue by the log time of their last dequeue, least recent first. */
final class ActiveConsumers {

    /** A consumer that has not dequeued for this long no longer counts as active. */
    static final long WINDOW_MS = 5 * 60 * 1000;

    private final SequencedMap<String, Long> lastSeen = new LinkedHashMap<>();

    void seen(String consumerId, long now) {
        lastSeen.remove(consumerId);
        lastSeen.put(consumerId, now);
        // Log time never decreases, so the map stays ordered by last dequeue and expired ones are first.
        while (lastSeen.firstEntry().getValue() + WINDOW_MS <= now) {
            lastSeen.pollFirstEntry();
        }
    }

    /** Consumers that dequeued within the window before {@code now}; read-only, as queries must be. */
    int count(long now) {
        int expired = 0;
        for (long seen : lastSeen.sequencedValues()) {
            if (seen + WINDOW_MS > now) {
                break;
            }
            expired++;
        }
        return lastSeen.size() - expired;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(lastSeen.size());
        for (Map.Entry<String, Long> e : lastSeen.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    void read(DataInputStream in) throws IOException {
        lastSeen.clear();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            lastSeen.put(in.readUTF(), in.readLong());
        }
    }
}
