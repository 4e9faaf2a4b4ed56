package io.sinkron.cache.home;

import java.util.Objects;

/**
 * A put or delete as the home receives it.
 *
 * @param session the writing instance's session, 0 if it has none
 * @param epoch the epoch of the write's ticket: the home voids the writer's own registrations up to
 *     it without waiting, since the instance dropped those lines before sending
 * @param value the new value (JSON text) of a put; ignored for a delete
 * @param ttlMillis time to live of a put, 0 for none
 */
public record WriteRequest(
        long session, long epoch, String key, boolean delete, byte[] value, long ttlMillis, Precondition precondition) {

    public WriteRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(precondition, "precondition");
    }
}
