package io.sinkron.consensus.statemachine.cache;

import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A cache-service instance's session: the lease under which it may serve the lines it holds.
 * Its id is the log index of the command that opened it, so a restarted instance never reuses one.
 */
final class CacheSession {

    final long id;
    final String instanceId;
    final long leaseMillis;
    long expiresAtMillis;

    /** Keys whose directory entry lists this session. */
    final TreeSet<String> heldKeys = new TreeSet<>();

    /** Key to the version of the pending write that waits for this session's acknowledgement. */
    final TreeMap<String, Long> owed = new TreeMap<>();

    CacheSession(long id, String instanceId, long leaseMillis, long expiresAtMillis) {
        this.id = id;
        this.instanceId = instanceId;
        this.leaseMillis = leaseMillis;
        this.expiresAtMillis = expiresAtMillis;
    }
}
