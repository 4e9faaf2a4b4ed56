package io.sinkron.consensus.statemachine.queue;

/**
 * One partition of a queue: its visible messages in delivery order and its counts.
 *
 * <p>The visible message delivered next is always the one with the lowest sequence, so first
 * deliveries follow enqueue order (FIFO per partition) and a message that comes back (lease
 * expired, nack, end of a delay) goes out again before younger ones. Two structures make that
 * cheap: fresh messages arrive with the highest sequence so far and wait in a FIFO ring; the few
 * that come back wait in a heap ordered by sequence. The next message is the lower of the two heads.
 */
final class Partition {

    private final MessageStore store;
    private final SlotRing fresh = new SlotRing();
    private final SlotHeap returned;
    private long lastSequence;
    int inFlight;
    int delayed;

    Partition(MessageStore store) {
        this.store = store;
        this.returned = new SlotHeap(store::sequence);
    }

    /** The sequence for the next message enqueued into this partition (1, 2, 3, ...). */
    long nextSequence() {
        return ++lastSequence;
    }

    long lastSequence() {
        return lastSequence;
    }

    void restoreLastSequence(long sequence) {
        lastSequence = sequence;
    }

    /** A message that just got the partition's highest sequence becomes visible. */
    void addFresh(int slot) {
        fresh.add(slot);
    }

    /** A message that was in flight or delayed becomes visible again. */
    void addReturned(int slot) {
        returned.add(slot);
    }

    /** The visible message with the lowest sequence, or -1. */
    int peekVisible() {
        int a = fresh.peek();
        int b = returned.peek();
        if (a < 0) {
            return b;
        }
        if (b < 0) {
            return a;
        }
        return store.sequence(a) < store.sequence(b) ? a : b;
    }

    /** Removes and returns the message {@link #peekVisible()} names. */
    int pollVisible() {
        int slot = peekVisible();
        if (slot == fresh.peek()) {
            fresh.poll();
        } else {
            returned.poll();
        }
        return slot;
    }

    int visible() {
        return fresh.size() + returned.size();
    }
}
