package io.sinkron.consensus.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PersistentMapTest {

    /** Keys with equal hash codes ("Aa" and "BB" hash alike, and so do their concatenations). */
    private static final List<String> COLLIDING = List.of("AaAa", "AaBB", "BBAa", "BBBB");

    @Test
    void behaves_like_a_hash_map_and_old_versions_never_change() {
        long seed = new SplittableRandom().nextLong();
        var random = new SplittableRandom(seed);
        PersistentMap<String, Integer> map = PersistentMap.empty();
        var model = new HashMap<String, Integer>();
        List<PersistentMap<String, Integer>> versions = new ArrayList<>();
        List<Map<String, Integer>> models = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            String key = random.nextInt(10) == 0
                    ? COLLIDING.get(random.nextInt(COLLIDING.size()))
                    : "k" + random.nextInt(random.nextBoolean() ? 50 : 5_000);
            if (random.nextInt(3) == 0) {
                var removed = map.remove(key);
                assertThat(removed == map)
                        .as("seed %d: unchanged iff absent", seed)
                        .isEqualTo(!model.containsKey(key));
                map = removed;
                model.remove(key);
            } else {
                int value = random.nextInt(100);
                map = map.put(key, value);
                model.put(key, value);
            }
            assertThat(map.size()).as("seed %d", seed).isEqualTo(model.size());
            assertThat(map.get(key)).as("seed %d", seed).isEqualTo(model.get(key));
            if (step % 1_000 == 0) {
                versions.add(map);
                models.add(Map.copyOf(model));
            }
        }
        for (int i = 0; i < versions.size(); i++) {
            assertThat(contents(versions.get(i)))
                    .as("seed %d: version %d", seed, i)
                    .isEqualTo(models.get(i));
        }
    }

    @Test
    void colliding_keys_are_kept_apart_and_removed_one_by_one() {
        assertThat(COLLIDING.stream().map(String::hashCode).distinct()).hasSize(1);
        PersistentMap<String, Integer> map = PersistentMap.empty();
        for (int i = 0; i < COLLIDING.size(); i++) {
            map = map.put(COLLIDING.get(i), i);
        }
        map = map.put("other", 9);
        assertThat(contents(map))
                .containsEntry("AaBB", 1)
                .containsEntry("BBBB", 3)
                .hasSize(5);
        for (String key : COLLIDING) {
            map = map.remove(key);
            assertThat(map.containsKey(key)).isFalse();
        }
        assertThat(contents(map)).isEqualTo(Map.of("other", 9));
        assertThat(map.remove("other").isEmpty()).isTrue();
    }

    @Test
    void iteration_order_depends_on_the_contents_not_on_their_history() {
        PersistentMap<String, Integer> forward = PersistentMap.empty();
        PersistentMap<String, Integer> backward = PersistentMap.empty();
        for (int i = 0; i < 2_000; i++) {
            forward = forward.put("k" + i, i);
            backward = backward.put("k" + (1_999 - i), 1_999 - i);
            backward = backward.put("gone" + i, i);
        }
        for (int i = 0; i < 2_000; i++) {
            backward = backward.remove("gone" + i);
        }
        assertThat(keys(backward)).isEqualTo(keys(forward));
    }

    private static Map<String, Integer> contents(PersistentMap<String, Integer> map) {
        var out = new HashMap<String, Integer>();
        map.forEach(
                (k, v) -> assertThat(out.put(k, v)).as("visited twice: %s", k).isNull());
        assertThat(out).hasSize(map.size());
        return out;
    }

    private static List<String> keys(PersistentMap<String, Integer> map) {
        var out = new ArrayList<String>();
        map.forEach((k, v) -> out.add(k));
        return out;
    }
}
