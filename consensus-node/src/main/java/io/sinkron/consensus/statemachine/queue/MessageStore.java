package io.sinkron.consensus.statemachine.queue;

import java.util.Arrays;

/**
 * The resident messages of one queue, with no object per message but the body itself: each message
 * has a slot, and a slot's fields are four {@code long}s in a page of slots (id, partition
 * sequence, enqueue time, and partition, state and delivery count packed into one), its body a
 * {@code byte[]} beside them. The message id to slot map is a {@link SlotIndex} of {@code int}s.
 * The two fields only a delivered or delayed message needs (when its lease or delay ends, and the
 * log index of its current delivery) live in a {@link SlotTimes} table that holds only such
 * messages. A resident, never delivered 100-byte message costs about 170 bytes in all (120 of them
 * the body array), and growing the store never copies what it holds.
 *
 * <p>Freed slots are reused last-freed-first; slot numbers are an in-memory detail, never part of
 * the replicated behaviour (ordering uses sequences and ids, snapshots write messages in sequence
 * order).
 */
final class MessageStore {

    static final byte VISIBLE = 0;
    static final byte IN_FLIGHT = 1;
    static final byte DELAYED = 2;

    private static final int PAGE_BITS = 12;
    private static final int PAGE_SLOTS = 1 << PAGE_BITS;
    private static final int SLOT_MASK = PAGE_SLOTS - 1;
    private static final int WORDS = 4;
    private static final int ID = 0;
    private static final int SEQUENCE = 1;
    private static final int ENQUEUED_AT = 2;
    // Partition in bits 0-15 (at most 1024 partitions), state in bits 16-23, delivery count in 32-63.
    private static final int META = 3;

    private final SlotIndex index = new SlotIndex(this::id);
    private final SlotTimes times = new SlotTimes();
    private long[][] words;
    private byte[][][] bodies;
    private int[] freeSlots;
    private int freeCount;
    private int highWater;
    private int size;

    MessageStore() {
        clear();
    }

    /** Stores a new visible message with no deliveries and returns its slot. */
    int add(long id, int partition, long sequence, long enqueuedAtMillis, byte[] body) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            slot = highWater++;
            int page = slot >>> PAGE_BITS;
            if (page == words.length) {
                words = Arrays.copyOf(words, Math.max(4, page * 2));
                bodies = Arrays.copyOf(bodies, words.length);
            }
            if (words[page] == null) {
                words[page] = new long[PAGE_SLOTS * WORDS];
                bodies[page] = new byte[PAGE_SLOTS][];
            }
        }
        long[] w = words[slot >>> PAGE_BITS];
        int at = (slot & SLOT_MASK) * WORDS;
        w[at + ID] = id;
        w[at + SEQUENCE] = sequence;
        w[at + ENQUEUED_AT] = enqueuedAtMillis;
        w[at + META] = meta(partition, VISIBLE, 0);
        bodies[slot >>> PAGE_BITS][slot & SLOT_MASK] = body;
        index.put(id, slot);
        size++;
        return slot;
    }

    void remove(int slot) {
        index.remove(id(slot));
        times.remove(slot);
        bodies[slot >>> PAGE_BITS][slot & SLOT_MASK] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, Math.max(16, freeCount * 2));
        }
        freeSlots[freeCount++] = slot;
        size--;
        if (size == 0) {
            // An emptied queue gives back the pages a burst made it take.
            clear();
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
        return bodies[slot >>> PAGE_BITS][slot & SLOT_MASK] != null;
    }

    int slotLimit() {
        return highWater;
    }

    long id(int slot) {
        return word(slot, ID);
    }

    int partition(int slot) {
        return (int) (word(slot, META) & 0xFFFF);
    }

    long sequence(int slot) {
        return word(slot, SEQUENCE);
    }

    long enqueuedAt(int slot) {
        return word(slot, ENQUEUED_AT);
    }

    byte state(int slot) {
        return (byte) (word(slot, META) >>> 16);
    }

    /** When the lease of an in-flight message ends or a delayed one becomes visible; 0 for a visible one. */
    long dueAt(int slot) {
        return times.dueAt(slot);
    }

    /** Log index of the message's latest delivery (what its receipt is checked against); 0 if none. */
    long deliveredAt(int slot) {
        return times.deliveredAt(slot);
    }

    int deliveryCount(int slot) {
        return (int) (word(slot, META) >>> 32);
    }

    byte[] body(int slot) {
        return bodies[slot >>> PAGE_BITS][slot & SLOT_MASK];
    }

    void makeVisible(int slot) {
        setMeta(slot, partition(slot), VISIBLE, deliveryCount(slot));
        times.set(slot, 0, times.deliveredAt(slot));
    }

    void delay(int slot, long visibleAtMillis) {
        setMeta(slot, partition(slot), DELAYED, deliveryCount(slot));
        times.set(slot, visibleAtMillis, times.deliveredAt(slot));
    }

    /** Hands the message out: one more delivery, recorded at log index {@code index}. */
    void deliver(int slot, long index, long leaseEndMillis) {
        setMeta(slot, partition(slot), IN_FLIGHT, deliveryCount(slot) + 1);
        times.set(slot, leaseEndMillis, index);
    }

    void extendLease(int slot, long leaseEndMillis) {
        times.set(slot, leaseEndMillis, times.deliveredAt(slot));
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
        setMeta(slot, partition, state, deliveryCount);
        times.set(slot, due, deliveredAtIndex);
        return slot;
    }

    private long word(int slot, int field) {
        return words[slot >>> PAGE_BITS][(slot & SLOT_MASK) * WORDS + field];
    }

    private void setMeta(int slot, int partition, byte state, int deliveryCount) {
        words[slot >>> PAGE_BITS][(slot & SLOT_MASK) * WORDS + META] = meta(partition, state, deliveryCount);
    }

    private static long meta(int partition, byte state, int deliveryCount) {
        return (long) deliveryCount << 32 | (long) (state & 0xFF) << 16 | (partition & 0xFFFF);
    }

    private void clear() {
        words = new long[0][];
        bodies = new byte[0][][];
        freeSlots = new int[0];
        freeCount = 0;
        highWater = 0;
    }
}
