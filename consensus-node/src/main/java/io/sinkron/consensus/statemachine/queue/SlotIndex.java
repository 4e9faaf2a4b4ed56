package io.sinkron.consensus.statemachine.queue;

import java.util.function.IntToLongFunction;

/**
 * Message id to store slot, as an open-addressing table of slots alone (linear probing, backward
 * shift on removal): the id a table entry stands for is read from the store, so a million resident
 * messages cost about 8 MB here, against 24 MB for a table of ids and slots and ~80 MB for a {@code
 * HashMap<Long, Integer>}.
 */
final class SlotIndex {

    private static final int MIN_CAPACITY = 16;

    private final IntToLongFunction idOfSlot;
    // Slot + 1, so that the zeroes of a new array mean empty.
    private int[] table;
    private int size;
    private int mask;

    /** @param idOfSlot the id the store holds in a slot; read for every slot in the table */
    SlotIndex(IntToLongFunction idOfSlot) {
        this.idOfSlot = idOfSlot;
        allocate(MIN_CAPACITY);
    }

    /** The slot of {@code id}, or -1. */
    int get(long id) {
        for (int i = home(id); ; i = (i + 1) & mask) {
            int entry = table[i];
            if (entry == 0) {
                return -1;
            }
            if (idOfSlot.applyAsLong(entry - 1) == id) {
                return entry - 1;
            }
        }
    }

    /** Adds {@code slot}, which the store already holds {@code id} in; {@code id} is not in the table. */
    void put(long id, int slot) {
        if ((size + 1) * 2 > table.length) {
            resize(table.length * 2);
        }
        int i = home(id);
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = slot + 1;
        size++;
    }

    /** Removes {@code id}, while the store still holds it in its slot. */
    void remove(long id) {
        int i = home(id);
        while (true) {
            int entry = table[i];
            if (entry == 0) {
                return;
            }
            if (idOfSlot.applyAsLong(entry - 1) == id) {
                break;
            }
            i = (i + 1) & mask;
        }
        size--;
        // Backward shift: pull later entries of the probe run into the hole so lookups never stop early.
        int hole = i;
        for (int j = (hole + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
            int h = home(idOfSlot.applyAsLong(table[j] - 1));
            boolean movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
            if (movable) {
                table[hole] = table[j];
                hole = j;
            }
        }
        table[hole] = 0;
        // A drained queue gives back what a burst made the table grow to.
        if (table.length > MIN_CAPACITY && size * 8 < table.length) {
            resize(table.length / 2);
        }
    }

    int size() {
        return size;
    }

    private int home(long id) {
        return (int) StableHash.fmix64(id) & mask;
    }

    private void resize(int capacity) {
        int[] old = table;
        allocate(capacity);
        for (int entry : old) {
            if (entry != 0) {
                int j = home(idOfSlot.applyAsLong(entry - 1));
                while (table[j] != 0) {
                    j = (j + 1) & mask;
                }
                table[j] = entry;
            }
        }
    }

    private void allocate(int capacity) {
        table = new int[capacity];
        mask = capacity - 1;
    }
}
