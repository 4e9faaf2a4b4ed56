package io.sinkron.consensus.statemachine.lock;

import io.sinkron.proto.LockMode;

/**
 * One owner's grant of one lock. Reentrant acquisitions raise {@link #count} and keep the token;
 * an upgrade to exclusive is a new grant with a new token.
 */
final class Hold {

    final String owner;
    final String sessionId;
    /** Lease length; 0 when the session keeps the hold alive instead. */
    final long ttlMillis;

    final long sinceMillis;
    LockMode mode;
    int count;
    long token;
    /** End of the lease; meaningless while a session keeps the hold. */
    long expiresAtMillis;

    Hold(String owner, String sessionId, long ttlMillis, LockMode mode, long token, long sinceMillis) {
        this.owner = owner;
        this.sessionId = sessionId;
        this.ttlMillis = ttlMillis;
        this.mode = mode;
        this.token = token;
        this.sinceMillis = sinceMillis;
        this.count = 1;
    }

    boolean sessionBound() {
        return !sessionId.isEmpty();
    }

    boolean exclusive() {
        return mode == LockMode.LOCK_MODE_EXCLUSIVE;
    }
}
