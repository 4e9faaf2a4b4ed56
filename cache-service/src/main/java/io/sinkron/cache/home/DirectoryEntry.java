package io.sinkron.cache.home;

import io.sinkron.cache.near.LineState;
import java.util.List;

/**
 * What the home's directory says about a key.
 *
 * @param found whether the key has a committed value
 * @param pendingVersion the version of a write waiting for holders to drop their lines, 0 if none
 */
public record DirectoryEntry(boolean found, long version, List<Holder> holders, long pendingVersion) {

    /** A session holding a line of the key. */
    public record Holder(long session, String instanceId, LineState state) {}

    public DirectoryEntry {
        holders = List.copyOf(holders);
    }
}
