package io.sinkron.client;

import java.util.Objects;

/**
 * A {@link ConsensusClient} call that ended without a result; {@link #reason()} says why and
 * whether a command may nevertheless have been applied.
 */
public final class ConsensusException extends RuntimeException {

    /** Why a call failed. */
    public enum Reason {
        /**
         * The call's overall deadline passed without a definitive answer. A command may or may not
         * have been applied (it may even be applied later); the client never retries it again.
         */
        DEADLINE_EXCEEDED,
        /**
         * The cluster no longer knows this client's session, so it cannot tell whether the command
         * was applied. It was not re-submitted; create a new {@link ConsensusClient} to get a new
         * session and reconcile by reading the state.
         */
        SESSION_EXPIRED,
        /**
         * The cluster rejected the request as malformed (unknown state machine, bad payload, ...).
         * Not retried; the command was not applied.
         */
        INVALID,
        /**
         * No node produced a definitive answer within {@code maxAttempts}, or no node could be
         * reached at all. For a command the outcome is unknown, as with {@link #DEADLINE_EXCEEDED}.
         */
        UNAVAILABLE,
        /**
         * The client was closed before the call ended. For a command the outcome is unknown, as
         * with {@link #DEADLINE_EXCEEDED}.
         */
        CLOSED,
        /**
         * The thread blocked in a synchronous call was interrupted; the call was cancelled and its
         * interrupt flag is set again. For a command the outcome is unknown.
         */
        INTERRUPTED
    }

    private final Reason reason;

    public ConsensusException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ConsensusException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
