package io.sinkron.cache.near;

import java.util.List;

/**
 * What completing a {@link Ticket} did.
 *
 * @param installed whether the line is now cached
 * @param evicted lines pushed out to make room, to deregister at the home
 */
public record Installation(boolean installed, List<Line> evicted) {

    static final Installation NOTHING = new Installation(false, List.of());
}
