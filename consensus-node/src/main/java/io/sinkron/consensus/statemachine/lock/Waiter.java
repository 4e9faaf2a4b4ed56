package io.sinkron.consensus.statemachine.lock;

import io.sinkron.proto.LockMode;

/**
 * A queued acquire request. It ends exactly once: granted, timed out at {@link #deadlineMillis},
 * aborted as a deadlock victim, cancelled, or dropped with its expired session.
 *
 * @param upgrade queued ahead of ordinary waiters because its owner already holds the lock shared
 * @param ttlMillis lease the grant will get; 0 for the default lease
 * @param queuedIndex log index of the entry that queued it: the younger of two requests has the
 *     higher index, which is how a deadlock picks its victim
 */
record Waiter(
        String requestId,
        String lockId,
        String owner,
        LockMode mode,
        boolean upgrade,
        String sessionId,
        long ttlMillis,
        long queuedIndex,
        long queuedAtMillis,
        long deadlineMillis) {

    boolean exclusive() {
        return mode == LockMode.LOCK_MODE_EXCLUSIVE;
    }
}
