package io.sinkron.consensus.statemachine.queue;

/**
 * The due time, delivery index and delivery count of the store slots that have them (messages in
 * flight, delayed, or delivered before), as an open-addressing table of primitives (linear
 * probing, backward shift on removal). A slot with none of them is not in the table, so the many
 * resident messages that were never delivered cost nothing here.
 */
final class SlotTimes {

    private static final int MIN_CAPACITY = 16;

    // Slot + 1, so that the zeroes of a new array mean empty.
    private int[] keys;
    private long[] due;
    private long[] delivered;
    private int[] counts;
    private int size;
    private int mask;

    SlotTimes() {
        allocate(MIN_CAPACITY);
    }

    long dueAt(int slot) {
        int i = find(slot);
        return i < 0 ? 0 : due[i];
    }

    long deliveredAt(int slot) {
        int i = find(slot);
        return i < 0 ? 0 : delivered[i];
    }

    int deliveryCount(int slot) {
        int i = find(slot);
        return i < 0 ? 0 : counts[i];
    }

    /** Sets the due time, delivery index and delivery count of {@code slot}; three zeroes remove it. */
    void set(int slot, long dueAt, long deliveredAt, int deliveryCount) {
        if (dueAt == 0 && deliveredAt == 0 && deliveryCount == 0) {
            remove(slot);
            return;
        }
        if ((size + 1) * 2 > keys.length) {
            resize(keys.length * 2);
        }
        int i = home(slot);
        while (keys[i] != 0 && keys[i] != slot + 1) {
            i = (i + 1) & mask;
        }
        if (keys[i] == 0) {
            keys[i] = slot + 1;
            size++;
        }
        due[i] = dueAt;
        delivered[i] = deliveredAt;
        counts[i] = deliveryCount;
    }

    void remove(int slot) {
        int i = find(slot);
        if (i < 0) {
            return;
        }
        size--;
        // Backward shift: pull later entries of the probe run into the hole so lookups never stop early.
        int hole = i;
        for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int h = home(keys[j] - 1);
            boolean movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
            if (movable) {
                keys[hole] = keys[j];
                due[hole] = due[j];
                delivered[hole] = delivered[j];
                counts[hole] = counts[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        if (keys.length > MIN_CAPACITY && size * 8 < keys.length) {
            resize(keys.length / 2);
        }
    }

    int size() {
        return size;
    }

    private int find(int slot) {
        for (int i = home(slot); ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == slot + 1) {
                return i;
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    private int home(int slot) {
        return (int) StableHash.fmix64(slot) & mask;
    }

    private void resize(int capacity) {
        int[] oldKeys = keys;
        long[] oldDue = due;
        long[] oldDelivered = delivered;
        int[] oldCounts = counts;
        allocate(capacity);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int j = home(oldKeys[i] - 1);
                while (keys[j] != 0) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                due[j] = oldDue[i];
                delivered[j] = oldDelivered[i];
                counts[j] = oldCounts[i];
            }
        }
    }

    private void allocate(int capacity) {
        keys = new int[capacity];
        due = new long[capacity];
        delivered = new long[capacity];
        counts = new int[capacity];
        mask = capacity - 1;
    }
}
