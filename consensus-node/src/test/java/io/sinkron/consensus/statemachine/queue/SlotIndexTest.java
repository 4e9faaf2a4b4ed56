package io.sinkron.consensus.statemachine.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class SlotIndexTest {

    /**
     * Positive ids are stored (in a new slot, as the store does), negative ones removed; few distinct
     * ids force collisions. The index reads ids from the slots, as it reads them from the store.
     */
    @Property(tries = 300)
    void behaves_like_a_hash_map(@ForAll @Size(max = 400) List<@LongRange(min = -60, max = 60) Long> ops) {
        Map<Integer, Long> store = new HashMap<>();
        var index = new SlotIndex(store::get);
        Map<Long, Integer> expected = new HashMap<>();
        int slot = 0;
        for (long op : ops) {
            long id = Math.abs(op) << 10;
            Integer held = expected.get(id);
            if (held != null) {
                // The index forgets an id while its slot still holds it; then the slot is freed.
                index.remove(id);
                expected.remove(id);
                store.remove(held);
            }
            if (op >= 0) {
                store.put(slot, id);
                index.put(id, slot);
                expected.put(id, slot);
                slot++;
            } else {
                index.remove(id);
            }
            assertThat(index.size()).isEqualTo(expected.size());
        }
        for (long id = 0; id <= 60; id++) {
            assertThat(index.get(id << 10)).isEqualTo(expected.getOrDefault(id << 10, -1));
        }
    }
}
