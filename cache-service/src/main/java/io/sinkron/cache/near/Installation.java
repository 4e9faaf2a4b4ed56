package io.sinkron.cache.near;

import java.util.Map;

/**
 * What completing a {@link Ticket} did.
 *
 * @param installed whether the line is now cached
 * @param deregister registrations the home may drop, key to epoch: lines pushed out to make room,
 *     and the operation's own registration if its line was not installed; only those whose drop
 *     cannot strand a line this instance holds or is about to install
 */
public record Installation(boolean installed, Map<String, Long> deregister) {

    public Installation {
        deregister = Map.copyOf(deregister);
    }
}
