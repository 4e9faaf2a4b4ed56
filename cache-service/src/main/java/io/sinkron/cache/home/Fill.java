package io.sinkron.cache.home;

import io.sinkron.cache.near.LineState;

/**
 * The answer to a read miss.
 *
 * @param value the committed value's bytes (JSON text), empty if not found
 * @param cacheable whether the home registered the session as a holder, so the value may be cached
 * @param state the registered line's state, INVALID when not cacheable
 */
public record Fill(boolean found, byte[] value, long version, boolean cacheable, LineState state) {}
