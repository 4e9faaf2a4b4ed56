package io.sinkron.consensus.statemachine.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class StableHashTest {

    @Test
    void murmur3_matches_the_published_test_vectors() {
        assertThat(StableHash.murmur3("")).isZero();
        assertThat(StableHash.murmur3("hello")).isEqualTo(0x248bfa47);
        assertThat(StableHash.murmur3("The quick brown fox jumps over the lazy dog"))
                .isEqualTo(0x2e4ff723);
    }

    @Property
    void murmur3_agrees_with_guava_on_any_text(@ForAll String text) {
        assertThat(StableHash.murmur3(text))
                .isEqualTo(Hashing.murmur3_32_fixed()
                        .hashString(text, StandardCharsets.UTF_8)
                        .asInt());
    }

    @Property
    void buckets_are_in_range_even_for_negative_hashes(
            @ForAll String key, @ForAll @IntRange(min = 1, max = 1024) int buckets) {
        assertThat(StableHash.bucket(key, buckets)).isBetween(0, buckets - 1);
    }

    @Test
    void message_ids_spread_evenly_over_partitions() {
        int[] counts = new int[8];
        for (long index = 1; index <= 8_000; index++) {
            counts[StableHash.bucket(MessageId.format(MessageId.of(index, 0)), 8)]++;
        }
        assertThat(Arrays.stream(counts).boxed()).allSatisfy(c -> assertThat(c).isBetween(900, 1_100));
    }
}
