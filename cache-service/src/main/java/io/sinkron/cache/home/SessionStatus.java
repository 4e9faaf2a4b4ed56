package io.sinkron.cache.home;

import java.util.List;

/**
 * The home's answer to a keepalive.
 *
 * @param alive false if the session is gone: its lease expired or it was replaced
 * @param owed writes still waiting for this session to drop its line, in case their invalidation
 *     events were lost
 */
public record SessionStatus(boolean alive, List<KeyVersion> owed) {

    public SessionStatus {
        owed = List.copyOf(owed);
    }
}
