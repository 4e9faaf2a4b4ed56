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

    /** Positive ids insert, negative ones remove their absolute value; few distinct ids force collisions. */
    @Property(tries = 300)
    void behaves_like_a_hash_map(@ForAll @Size(max = 400) List<@LongRange(min = -60, max = 60) Long> ops) {
        var index = new SlotIndex();
        Map<Long, Integer> expected = new HashMap<>();
        int slot = 0;
        for (long op : ops) {
            long id = Math.abs(op) << 10;
            if (op >= 0) {
                index.put(id, slot);
                expected.put(id, slot);
                slot++;
            } else {
                index.remove(id);
                expected.remove(id);
            }
            assertThat(index.size()).isEqualTo(expected.size());
        }
        for (long id = 0; id <= 60; id++) {
            assertThat(index.get(id << 10)).isEqualTo(expected.getOrDefault(id << 10, -1));
        }
    }
}
