package io.sinkron.consensus.raft;

import java.util.Arrays;
import java.util.Collection;

/** Majority arithmetic over the voters of a configuration. */
final class Quorum {

    private Quorum() {}

    static int majority(int voters) {
        return voters / 2 + 1;
    }

    /**
     * The largest index that a majority of {@code matchIndexes} has reached: sort descending and take
     * the value at the majority position (Raft §5.3, §5.4).
     */
    static long committedIndex(Collection<Long> matchIndexes) {
        if (matchIndexes.isEmpty()) {
            return 0;
        }
        long[] sorted = matchIndexes.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted[sorted.length - majority(sorted.length)];
    }
}
