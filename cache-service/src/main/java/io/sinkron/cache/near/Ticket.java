package io.sinkron.cache.near;

/**
 * An operation on a key that may install a line when it completes: a read miss or a write.
 *
 * @param epoch the instance-wide operation counter at the start; the home registers the line
 *     with it
 * @param barrier the key's invalidation count at the start; a line is installed only if no
 *     invalidation of the key happened in between
 */
public record Ticket(String key, long epoch, long barrier, boolean write) {}
