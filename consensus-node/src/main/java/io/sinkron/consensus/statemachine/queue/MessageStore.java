package io.sinkron.consensus.statemachine.queue;

import java.util.Arrays;

/**
 * The resident messages of one queue, stored column-wise: one primitive array per field, indexed
 * by a slot number, and the message id to slot map in a {@link SlotIndex}. A message costs its body
 * plus about 70 bytes here, with no object per message, which keeps a million resident 100-byte
 * messages well under 300 MB of heap.
 *
 * <p>Freed slots are reused last-freed-first; slot numbers are an in-memory detail, never part of
 * the replicated behaviour (ordering uses sequences and ids, snapshots write messages in sequence
 * order).
 */
final class MessageStore {

    static final byte VISIBLE = 0;
    static final byte IN_FLIGHT = 1;
    static final byte DELAYED = 2;

    private static final int INITIAL_CAPACITY = 16;

    private final SlotIndex index = new SlotIndex();
    private long[] ids;
    private long[] sequences;
    private long[] enqueuedAt;
    // When an in-flight message's lease ends, or when a delayed message becomes visible.
    private long[] dueAt;
    // Log index of the current delivery: what the receipt is checked against.
    private long[] deliveredAt;
    private int[] deliveryCounts;
    private int[] partitions;
    private byte[] states;
    private byte[][] bodies;
    private int[] freeSlots;
    private int freeCount;
    private int highWater;
    private int size;

    MessageStore() {
        allocate(INITIAL_CAPACITY);
    }

    /** Stores a new visible message with no deliveries and returns its slot. */
    int add(long id, int partition, long sequence, long enqueuedAtMillis, byte[] body) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (highWater == ids.length) {
                grow();
            }
            slot = highWater++;
        }
        ids[slot] = id;
        partitions[slot] = partition;
        sequences[slot] = sequence;
        enqueuedAt[slot] = enqueuedAtMillis;
        dueAt[slot] = 0;
        deliveredAt[slot] = 0;
        deliveryCounts[slot] = 0;
        states[slot] = VISIBLE;
        bodies[slot] = body;
        index.put(id, slot);
        size++;
        return slot;
    }

    void remove(int slot) {
        index.remove(ids[slot]);
        bodies[slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, Math.max(INITIAL_CAPACITY, freeCount * 2));
        }
        freeSlots[freeCount++] = slot;
        size--;
        if (size == 0) {
            // An emptied queue gives back the arrays a burst made it grow to.
            allocate(INITIAL_CAPACITY);
        }
    }

    /** The slot of message {@code id}, or -1 if this queue does not hold it. */
    int slotOf(long id) {
        return index.get(id);
    }

    int size() {
        return size;
    }

    /** Whether {@code slot} holds a message; for iterating slots {@code 0 .. slotLimit() - 1}. */
    boolean occupied(int slot) {
        return bodies[slot] != null;
    }

    int slotLimit() {
        return highWater;
    }

    long id(int slot) {
        return ids[slot];
    }

    int partition(int slot) {
        return partitions[slot];
    }

    long sequence(int slot) {
        return sequences[slot];
    }

    long enqueuedAt(int slot) {
        return enqueuedAt[slot];
    }

    byte state(int slot) {
        return states[slot];
    }

    long dueAt(int slot) {
        return dueAt[slot];
    }

    long deliveredAt(int slot) {
        return deliveredAt[slot];
    }

    int deliveryCount(int slot) {
        return deliveryCounts[slot];
    }

    byte[] body(int slot) {
        return bodies[slot];
    }

    void makeVisible(int slot) {
        states[slot] = VISIBLE;
        dueAt[slot] = 0;
    }

    void delay(int slot, long visibleAtMillis) {
        states[slot] = DELAYED;
        dueAt[slot] = visibleAtMillis;
    }

    /** Hands the message out: one more delivery, recorded at log index {@code index}. */
    void deliver(int slot, long index, long leaseEndMillis) {
        states[slot] = IN_FLIGHT;
        deliveryCounts[slot]++;
        deliveredAt[slot] = index;
        dueAt[slot] = leaseEndMillis;
    }

    void extendLease(int slot, long leaseEndMillis) {
        dueAt[slot] = leaseEndMillis;
    }

    /** Puts a message back exactly as a snapshot recorded it. */
    int restore(
            long id,
            int partition,
            long sequence,
            long enqueuedAtMillis,
            byte state,
            long due,
            long deliveredAtIndex,
            int deliveryCount,
            byte[] body) {
        int slot = add(id, partition, sequence, enqueuedAtMillis, body);
        states[slot] = state;
        dueAt[slot] = due;
        deliveredAt[slot] = deliveredAtIndex;
        deliveryCounts[slot] = deliveryCount;
        return slot;
    }

    private void grow() {
        // 1.5x rather than 2x: the arrays are most of a large queue's footprint.
        int capacity = ids.length + (ids.length >> 1);
        ids = Arrays.copyOf(ids, capacity);
        sequences = Arrays.copyOf(sequences, capacity);
        enqueuedAt = Arrays.copyOf(enqueuedAt, capacity);
        dueAt = Arrays.copyOf(dueAt, capacity);
        deliveredAt = Arrays.copyOf(deliveredAt, capacity);
        deliveryCounts = Arrays.copyOf(deliveryCounts, capacity);
        partitions = Arrays.copyOf(partitions, capacity);
        states = Arrays.copyOf(states, capacity);
        bodies = Arrays.copyOf(bodies, capacity);
    }

    private void allocate(int capacity) {
        ids = new long[capacity];
        sequences = new long[capacity];
        enqueuedAt = new long[capacity];
        dueAt = new long[capacity];
        deliveredAt = new long[capacity];
        deliveryCounts = new int[capacity];
        partitions = new int[capacity];
        states = new byte[capacity];
        bodies = new byte[capacity][];
        freeSlots = new int[0];
        freeCount = 0;
        highWater = 0;
    }
}
