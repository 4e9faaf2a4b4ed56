package io.sinkron.consensus.statemachine.queue;

import java.util.Arrays;
import java.util.function.IntToLongFunction;

/** A binary min-heap of store slots ordered by a key of the slot (the partition sequence). */
final class SlotHeap {

    private final IntToLongFunction key;
    private int[] slots = new int[8];
    private int size;

    SlotHeap(IntToLongFunction key) {
        this.key = key;
    }

    void add(int slot) {
        if (size == slots.length) {
            slots = Arrays.copyOf(slots, size * 2);
        }
        int i = size++;
        long k = key.applyAsLong(slot);
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (key.applyAsLong(slots[parent]) <= k) {
                break;
            }
            slots[i] = slots[parent];
            i = parent;
        }
        slots[i] = slot;
    }

    /** The slot with the smallest key, or -1 if empty. */
    int peek() {
        return size == 0 ? -1 : slots[0];
    }

    int poll() {
        int top = slots[0];
        int last = slots[--size];
        if (size > 0) {
            long k = key.applyAsLong(last);
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && key.applyAsLong(slots[child + 1]) < key.applyAsLong(slots[child])) {
                    child++;
                }
                if (key.applyAsLong(slots[child]) >= k) {
                    break;
                }
                slots[i] = slots[child];
                i = child;
            }
            slots[i] = last;
        }
        return top;
    }

    int size() {
        return size;
    }
}
