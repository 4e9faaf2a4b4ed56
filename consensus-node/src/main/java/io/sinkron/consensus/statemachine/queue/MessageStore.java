package io.sinkron.consensus.statemachine.queue;

import java.util.Arrays;

/**
 * The resident messages of one queue, with no object per message but the body itself: each message
 * has a slot, and a slot's fields are three {@code long}s in a page of slots (id, partition
 * sequence, and enqueue time, state and partition packed into one), its body a {@code byte[]}
 * beside them. The message id to slot map is a {@link SlotIndex} of {@code int}s. What only a
 * delivered or delayed message needs (when its lease or delay ends, the log index of its latest
 * delivery, its delivery count) lives in a {@link SlotTimes} table that holds only such messages.
 * A resident, never delivered 100-byte message costs about 160 bytes in all (120 of them the body
 * array), and growing the store never copies what it holds.
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
    private static final int WORDS = 3;
    private static final int ID = 0;
    private static final int SEQUENCE = 1;
    // Enqueue time (log milliseconds) in bits 0-47, state in 48-51, partition (< 1024) in 52-63.
    private static final int META = 2;
    private static final long TIME_MASK = (1L << 48) - 1;

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
        w[at + META] = meta(enqueuedAtMillis, VISIBLE, partition);
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
        return (int) (word(slot, META) >>> 52);
    }

    long sequence(int slot) {
        return word(slot, SEQUENCE);
    }

    long enqueuedAt(int slot) {
        return word(slot, META) & TIME_MASK;
    }

    byte state(int slot) {
        return (byte) ((word(slot, META) >>> 48) & 0xF);
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
        return times.deliveryCount(slot);
    }

    byte[] body(int slot) {
        return bodies[slot >>> PAGE_BITS][slot & SLOT_MASK];
    }

    void makeVisible(int slot) {
        setState(slot, VISIBLE);
        times.set(slot, 0, times.deliveredAt(slot), times.deliveryCount(slot));
    }

    void delay(int slot, long visibleAtMillis) {
        setState(slot, DELAYED);
        times.set(slot, visibleAtMillis, times.deliveredAt(slot), times.deliveryCount(slot));
    }

    /** Hands the message out: one more delivery, recorded at log index {@code index}. */
    void deliver(int slot, long index, long leaseEndMillis) {
        setState(slot, IN_FLIGHT);
        times.set(slot, leaseEndMillis, index, times.deliveryCount(slot) + 1);
    }

    void extendLease(int slot, long leaseEndMillis) {
        times.set(slot, leaseEndMillis, times.deliveredAt(slot), times.deliveryCount(slot));
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
        setState(slot, state);
        times.set(slot, due, deliveredAtIndex, deliveryCount);
        return slot;
    }

    private long word(int slot, int field) {
        return words[slot >>> PAGE_BITS][(slot & SLOT_MASK) * WORDS + field];
    }

    private void setState(int slot, byte state) {
        long[] w = words[slot >>> PAGE_BITS];
        int at = (slot & SLOT_MASK) * WORDS + META;
        w[at] = w[at] & ~(0xFL << 48) | (long) state << 48;
    }

    private static long meta(long enqueuedAtMillis, byte state, int partition) {
        if (enqueuedAtMillis < 0 || enqueuedAtMillis > TIME_MASK || partition < 0 || partition >= 1 << 12) {
            throw new IllegalArgumentException(
                    "enqueue time " + enqueuedAtMillis + " or partition " + partition + " out of range");
        }
        return (long) partition << 52 | (long) state << 48 | enqueuedAtMillis;
    }

    private void clear() {
        words = new long[0][];
        bodies = new byte[0][][];
        freeSlots = new int[0];
        freeCount = 0;
        highWater = 0;
    }
}
