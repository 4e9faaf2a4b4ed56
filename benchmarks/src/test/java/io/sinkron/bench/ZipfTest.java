package io.sinkron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfTest {

    @Test
    void when_drawing_many_ranks_then_frequencies_follow_one_over_rank() {
        long seed = 42;
        var zipf = new Zipf(1000, 1.0);
        var random = new SplittableRandom(seed);
        int[] counts = new int[1000];
        int draws = 200_000;
        for (int i = 0; i < draws; i++) {
            counts[zipf.next(random)]++;
        }
        double harmonic = 0;
        for (int k = 1; k <= 1000; k++) {
            harmonic += 1.0 / k;
        }
        // P(rank 0) = 1 / H(1000) ≈ 13.4%, rank 1 half of that, rank 9 a tenth.
        assertThat(counts[0] / (double) draws).as("seed %d", seed).isCloseTo(1 / harmonic, within(0.005));
        assertThat(counts[0] / (double) counts[1]).as("seed %d", seed).isCloseTo(2.0, within(0.1));
        assertThat(counts[0] / (double) counts[9]).as("seed %d", seed).isCloseTo(10.0, within(1.0));
    }
}
