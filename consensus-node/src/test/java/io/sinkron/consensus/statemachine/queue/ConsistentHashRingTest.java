package io.sinkron.consensus.statemachine.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class ConsistentHashRingTest {

    private static final int KEYS = 20_000;

    @Test
    void when_there_is_one_group_then_it_owns_every_partition() {
        var ring = ConsistentHashRing.single("default");

        for (int p = 0; p < 64; p++) {
            assertThat(ring.groupFor("orders", p)).isEqualTo("default");
        }
    }

    @Test
    void when_groups_are_many_then_each_owns_close_to_an_even_share() {
        for (int groups = 2; groups <= 8; groups++) {
            var ring = ring(groups);
            Map<String, Integer> owned = owners(ring);

            double even = (double) KEYS / groups;
            assertThat(owned).hasSize(groups);
            assertThat(owned.values())
                    .as("shares of %d groups", groups)
                    .allSatisfy(n -> assertThat(n).isBetween((int) (even * 0.8), (int) (even * 1.2)));
        }
    }

    @Test
    void when_a_group_is_added_then_only_keys_that_move_to_it_move_and_about_their_share() {
        for (int groups = 1; groups <= 7; groups++) {
            var before = ring(groups);
            var after = before.withGroup("g" + groups);

            int moved = 0;
            for (int k = 0; k < KEYS; k++) {
                String owner = before.groupFor(key(k));
                String next = after.groupFor(key(k));
                if (!owner.equals(next)) {
                    assertThat(next).as("a moved key goes to the new group").isEqualTo("g" + groups);
                    moved++;
                }
            }
            double share = 1.0 / (groups + 1);
            assertThat((double) moved / KEYS)
                    .as("fraction moved when growing to %d groups", groups + 1)
                    .isBetween(share * 0.8, share * 1.2);
        }
    }

    @Test
    void when_a_group_is_removed_then_only_its_keys_move() {
        var before = ring(5);
        var after = before.withoutGroup("g2");

        for (int k = 0; k < KEYS; k++) {
            String owner = before.groupFor(key(k));
            if (!owner.equals("g2")) {
                assertThat(after.groupFor(key(k))).isEqualTo(owner);
            }
        }
    }

    @Property(tries = 50)
    void placement_depends_only_on_the_set_of_groups(
            @ForAll @IntRange(min = 1, max = 6) int groups, @ForAll @AlphaChars @StringLength(max = 20) String key) {
        var forward = ring(groups);
        var reversed = new ConsistentHashRing(
                forward.groups().stream().sorted(Comparator.reverseOrder()).toList(),
                ConsistentHashRing.DEFAULT_VIRTUAL_NODES);

        assertThat(reversed.groupFor(key)).isEqualTo(forward.groupFor(key));
    }

    private static ConsistentHashRing ring(int groups) {
        return new ConsistentHashRing(
                IntStream.range(0, groups).mapToObj(i -> "g" + i).toList(), ConsistentHashRing.DEFAULT_VIRTUAL_NODES);
    }

    private static Map<String, Integer> owners(ConsistentHashRing ring) {
        Map<String, Integer> owned = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            owned.merge(ring.groupFor(key(k)), 1, Integer::sum);
        }
        return owned;
    }

    private static String key(int k) {
        List<String> queues = List.of("orders", "emails", "payments", "audit");
        return queues.get(k % queues.size()) + "/" + k / queues.size();
    }
}
