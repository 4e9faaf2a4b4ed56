package io.sinkron.consensus.statemachine.cache;

import io.sinkron.proto.CacheLineState;

/**
 * A session's registration as the holder of a key's line.
 *
 * @param epoch the holder's operation counter when the fill or write that registered it started;
 *     the holder's evictions and writes void a registration only up to the epoch they name, so a
 *     newer registration that raced them is never lost
 */
record Holder(long session, CacheLineState state, long epoch) {

    Holder withState(CacheLineState newState) {
        return new Holder(session, newState, epoch);
    }
}
