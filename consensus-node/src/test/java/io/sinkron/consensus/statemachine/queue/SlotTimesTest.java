package io.sinkron.consensus.statemachine.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SlotTimesTest {

    /**
     * Each op names a slot (few distinct, so probe runs collide and shift) and what to do with it:
     * set all three values, set due to 0 (kept while the others are not), set all to 0 (removed),
     * remove.
     */
    @Property(tries = 300)
    void behaves_like_a_map_of_triples(
            @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 60) Integer> slots,
            @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 3) Integer> kinds) {
        var times = new SlotTimes();
        Map<Integer, long[]> expected = new HashMap<>();
        for (int i = 0; i < Math.min(slots.size(), kinds.size()); i++) {
            int slot = slots.get(i);
            long[] old = expected.getOrDefault(slot, new long[3]);
            switch (kinds.get(i)) {
                case 0 -> {
                    times.set(slot, 1000 + i, 7 + i, i % 5);
                    expected.put(slot, new long[] {1000 + i, 7 + i, i % 5});
                }
                case 1 -> {
                    times.set(slot, 0, old[1], (int) old[2]);
                    if (old[1] == 0 && old[2] == 0) {
                        expected.remove(slot);
                    } else {
                        expected.put(slot, new long[] {0, old[1], old[2]});
                    }
                }
                case 2 -> {
                    times.set(slot, 0, 0, 0);
                    expected.remove(slot);
                }
                default -> {
                    times.remove(slot);
                    expected.remove(slot);
                }
            }
            assertThat(times.size()).isEqualTo(expected.size());
        }
        for (int slot = 0; slot <= 60; slot++) {
            long[] e = expected.getOrDefault(slot, new long[3]);
            assertThat(times.dueAt(slot)).as("due of %d", slot).isEqualTo(e[0]);
            assertThat(times.deliveredAt(slot)).as("delivered of %d", slot).isEqualTo(e[1]);
            assertThat(times.deliveryCount(slot)).as("count of %d", slot).isEqualTo(e[2]);
        }
    }
}
