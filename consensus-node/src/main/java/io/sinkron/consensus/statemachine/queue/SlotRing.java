package io.sinkron.consensus.statemachine.queue;

/** A FIFO of store slots in a growable circular int array. */
final class SlotRing {

    private int[] slots = new int[8];
    private int head;
    private int size;

    void add(int slot) {
        if (size == slots.length) {
            int[] bigger = new int[slots.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = slots[(head + i) % slots.length];
            }
            slots = bigger;
            head = 0;
        }
        slots[(head + size) % slots.length] = slot;
        size++;
    }

    /** The oldest slot, or -1 if empty. */
    int peek() {
        return size == 0 ? -1 : slots[head];
    }

    int poll() {
        int slot = slots[head];
        head = (head + 1) % slots.length;
        size--;
        if (size == 0) {
            head = 0;
            // A drained partition gives back what a burst made it grow to.
            if (slots.length > 64) {
                slots = new int[8];
            }
        }
        return slot;
    }

    int size() {
        return size;
    }
}
