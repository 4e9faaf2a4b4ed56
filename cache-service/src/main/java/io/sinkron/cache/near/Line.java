package io.sinkron.cache.near;

import java.util.Objects;

/**
 * A near-cache line.
 *
 * @param value the value as JSON text
 * @param sizeBytes what the line counts against the cache's byte capacity: the UTF-8 size of the
 *     key and of the value
 * @param version the home's version of the value (log index of the write that produced it)
 * @param epoch the epoch of the fill or write that registered this line at the home; an eviction
 *     deregisters up to it
 */
public record Line(String key, String value, int sizeBytes, long version, LineState state, long epoch) {

    public Line {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(state, "state");
        if (state == LineState.INVALID) {
            throw new IllegalArgumentException("an INVALID line is not cached");
        }
    }

    Line withState(LineState newState) {
        return new Line(key, value, sizeBytes, version, newState, epoch);
    }

    Line withEpoch(long newEpoch) {
        return new Line(key, value, sizeBytes, version, state, newEpoch);
    }
}
