package io.sinkron.consensus.statemachine.lock;

import java.util.TreeSet;

/**
 * A lock user's session (like an etcd lease or a Hazelcast CP session): the locks taken under it
 * live as long as it is kept alive, and closing or losing it releases them and ends its waits.
 */
final class UserSession {

    final String id;
    final String owner;
    final long ttlMillis;
    long expiresAtMillis;
    /** Locks held under this session. */
    final TreeSet<String> locks = new TreeSet<>();
    /** Request ids of waits made under this session. */
    final TreeSet<String> waits = new TreeSet<>();

    UserSession(String id, String owner, long ttlMillis, long expiresAtMillis) {
        this.id = id;
        this.owner = owner;
        this.ttlMillis = ttlMillis;
        this.expiresAtMillis = expiresAtMillis;
    }
}
