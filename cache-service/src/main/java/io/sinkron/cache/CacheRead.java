package io.sinkron.cache;

import io.sinkron.cache.near.LineState;

/**
 * A value as a GET returns it.
 *
 * @param value JSON text
 * @param hit whether it came from the near cache
 * @param state this instance's line state after the read; INVALID if the value was not cached
 */
public record CacheRead(String key, String value, long version, boolean hit, LineState state) {}
