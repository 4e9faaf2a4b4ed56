package io.sinkron.cache;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The instance's own reckoning of its session's lease, on its own monotonic clock.
 *
 * <p>The home expires a session {@code lease} after the leader's timestamp on its latest
 * keepalive. The instance counts from when it <em>sent</em> that keepalive, which is earlier, and
 * stops {@code margin} before the lease ends, to cover clock rate differences, leader clock skew
 * and the moment between checking the lease and serving a line. So it stops serving from its near
 * cache before the home stops waiting for its acknowledgements.
 */
final class InstanceLease {

    /**
     * A session and when this instance stops serving under it.
     *
     * @param session 0 for none
     */
    record Grant(long session, long validUntilNanos) {}

    private static final Grant NONE = new Grant(0, Long.MIN_VALUE);

    private final MonotonicClock clock;
    private final long usableNanos;
    private final AtomicReference<Grant> grant = new AtomicReference<>(NONE);
    private volatile long lastSession;

    InstanceLease(MonotonicClock clock, long leaseNanos, long marginNanos) {
        if (marginNanos <= 0 || marginNanos >= leaseNanos) {
            throw new IllegalArgumentException("the margin must be positive and shorter than the lease");
        }
        this.clock = clock;
        this.usableNanos = leaseNanos - marginNanos;
    }

    Grant grant() {
        return grant.get();
    }

    /** The session this instance may serve lines of right now, 0 if none. */
    long servingSession() {
        Grant current = grant.get();
        return serves(current, clock.nanoTime()) ? current.session() : 0;
    }

    /** Whether {@code session} is the current session and its lease has not run out. */
    boolean serves(long session) {
        Grant current = grant.get();
        return session != 0 && current.session() == session && serves(current, clock.nanoTime());
    }

    private static boolean serves(Grant grant, long nowNanos) {
        return grant.session() != 0 && nowNanos - grant.validUntilNanos() < 0;
    }

    boolean expired(Grant grant) {
        return grant.session() != 0 && !serves(grant, clock.nanoTime());
    }

    /** A new session, registered by a command sent at {@code sentAtNanos}. */
    void granted(long session, long sentAtNanos) {
        grant.set(new Grant(session, sentAtNanos + usableNanos));
        lastSession = session;
    }

    /** A keepalive of {@code session} sent at {@code sentAtNanos} succeeded. */
    void renewed(long session, long sentAtNanos) {
        grant.updateAndGet(current -> current.session() == session
                ? new Grant(session, Math.max(current.validUntilNanos(), sentAtNanos + usableNanos))
                : current);
    }

    /**
     * Gives up {@code expected} if it is still the current grant.
     *
     * @return whether it was
     */
    boolean revoke(Grant expected) {
        return grant.compareAndSet(expected, NONE);
    }

    /** The latest session this instance had, 0 if none; a new registration replaces it. */
    long lastSession() {
        return lastSession;
    }
}
