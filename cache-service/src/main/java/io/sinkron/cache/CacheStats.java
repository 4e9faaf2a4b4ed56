package io.sinkron.cache;

import io.sinkron.cache.near.LineState;
import java.util.Map;

/** This instance's near-cache statistics since it started. */
public record CacheStats(
        String instanceId,
        int size,
        int capacity,
        long hits,
        long misses,
        double hitRatio,
        long evictions,
        long invalidationsReceived,
        Map<LineState, Integer> states) {

    public CacheStats {
        states = Map.copyOf(states);
    }
}
