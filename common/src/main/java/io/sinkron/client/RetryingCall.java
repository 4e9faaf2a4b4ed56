package io.sinkron.client;

import io.grpc.Status;
import io.sinkron.proto.MultiplexedRequest;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Submit or Read, retried until it gets a definitive answer, its deadline passes, or it runs
 * out of attempts.
 *
 * <p>Each attempt re-sends the same request (so a command keeps its (client id, sequence)) to the
 * node {@link NodeDirectory#choose()} picks, over that node's {@link MultiplexedStream}, with an
 * attempt deadline of {@code min(attemptTimeout, time left)} and a server-side timeout of four
 * fifths of that, so the node answers TIMEOUT before the client gives up on the attempt. Answers
 * are handled as follows:
 *
 * <ul>
 *   <li>OK completes the call; an OK with a leader hint (the node forwarded the request to the
 *       leader) makes the hinted node preferred for later calls; INVALID and SESSION_EXPIRED fail
 *       it at once (but see {@link Request#renewSession()});
 *   <li>NOT_LEADER and UNAVAILABLE move away from the node; a leader hint naming another node makes
 *       that node preferred and is followed immediately, once in a row (a second hint in a row
 *       waits for the backoff, so nodes with stale hints cannot make the client spin); without a
 *       hint the call backs off;
 *   <li>TIMEOUT backs off and retries, since the command may still commit;
 *   <li>any transport error (the node is unreachable, the attempt's deadline passed, ...) counts as
 *       a failure of that node and backs off; an attempt that only ran out of time because the
 *       call's own deadline was near does not count against its node.
 * </ul>
 *
 * <p>The first attempt is sent on the thread that starts the call; retries after a backoff run on
 * the scheduler. At most one attempt or scheduled retry is pending at a time, so the mutable fields
 * are only touched by one thread at a time, handed over through the stream's answer and the
 * scheduler.
 *
 * <p>The call is its own result future: completing or cancelling it from outside stops further
 * attempts, and {@link Request#ended()} runs once whichever way it ends, before the caller can see
 * an outcome the call itself produced.
 */
final class RetryingCall extends CompletableFuture<byte[]> implements MultiplexedStream.Attempt {

    private static final Logger log = LoggerFactory.getLogger(RetryingCall.class);
    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(RetryingCall.class, "ended", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the call sends, and what happens around it. */
    interface Request {
        /** The request of the next attempt, for a node that should answer within {@code serverTimeoutMs}. */
        MultiplexedRequest.Builder build(long serverTimeoutMs);

        /**
         * The node answered SESSION_EXPIRED to the first attempt in the request's session: move the
         * request to a new session if that is safe, and say whether it did (the call then tries
         * again at once).
         */
        default boolean renewSession() {
            return false;
        }

        /** The call ended, one way or another; runs exactly once. */
        void ended();

        /** What the call is, for error messages. */
        String describe();
    }

    /** What every call of one client shares. */
    record Settings(
            NodeDirectory nodes,
            Backoff backoff,
            ScheduledExecutorService scheduler,
            int maxAttempts,
            long attemptTimeoutNanos) {}

    private final Request request;
    private final Settings settings;
    private final long deadlineNanos;
    private volatile Future<?> pending;
    private volatile boolean ended;
    private int attempts;
    private int attemptsInSession;
    private int retries;
    private boolean followedHint;
    private String lastAnswer;
    private Throwable lastError;
    private Node lastErrorNode;

    RetryingCall(Request request, Settings settings, long deadlineNanos) {
        this.request = request;
        this.settings = settings;
        this.deadlineNanos = deadlineNanos;
    }

    /** Sends the first attempt, on this thread. */
    void start() {
        attempt();
    }

    /** Ends the call with {@code failure} unless it has already ended. */
    void abort(ConsensusException failure) {
        completeExceptionally(failure);
    }

    // ---- the result, completed by the call or from outside -----------------------------------

    @Override
    public boolean complete(byte[] value) {
        boolean completed = super.complete(value);
        if (completed) {
            end();
        }
        return completed;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
        boolean completed = super.completeExceptionally(failure);
        if (completed) {
            end();
        }
        return completed;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            end();
        }
        return cancelled;
    }

    /** Dependent stages are plain futures: completing one of them does not end this call. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    private void succeed(byte[] value) {
        if (!isDone()) {
            end();
            super.complete(value);
        }
    }

    private void fail(Throwable failure) {
        if (!isDone()) {
            end();
            super.completeExceptionally(failure);
        }
    }

    private void end() {
        if (!ENDED.compareAndSet(this, false, true)) {
            return;
        }
        Future<?> current = pending;
        if (current != null) {
            current.cancel(false);
        }
        request.ended();
    }

    // ---- attempts ------------------------------------------------------------------------------

    private void attempt() {
        try {
            if (ended) {
                return;
            }
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                giveUp(ConsensusException.Reason.DEADLINE_EXCEEDED, "no definitive answer before the deadline");
                return;
            }
            if (settings.maxAttempts() > 0 && attempts >= settings.maxAttempts()) {
                giveUp(ConsensusException.Reason.UNAVAILABLE, "no definitive answer in " + attempts + " attempts");
                return;
            }
            attempts++;
            attemptsInSession++;
            Node node = settings.nodes().choose();
            long attemptNanos = Math.min(remaining, settings.attemptTimeoutNanos());
            long serverTimeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(attemptNanos) * 4 / 5);
            boolean cutShortByDeadline = attemptNanos == remaining;
            node.calls()
                    .send(request.build(serverTimeoutMs), System.nanoTime() + attemptNanos, cutShortByDeadline, this);
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    @Override
    public void onReply(Node node, Reply reply) {
        if (ended) {
            return;
        }
        settings.nodes().recordSuccess(node);
        switch (reply.code()) {
            case RESULT_CODE_OK -> {
                preferHintedLeader(node, reply);
                succeed(reply.result().toByteArray());
            }
            case RESULT_CODE_INVALID -> {
                noteAnswer(node, reply);
                giveUp(ConsensusException.Reason.INVALID, "rejected by the cluster");
            }
            case RESULT_CODE_SESSION_EXPIRED -> {
                noteAnswer(node, reply);
                if (attemptsInSession == 1 && request.renewSession()) {
                    attemptsInSession = 0;
                    attempt();
                    return;
                }
                giveUp(
                        ConsensusException.Reason.SESSION_EXPIRED,
                        "the cluster forgot this client's session; a command may or may not have been applied");
            }
            case RESULT_CODE_NOT_LEADER, RESULT_CODE_UNAVAILABLE -> {
                noteAnswer(node, reply);
                settings.nodes().moveAwayFrom(node);
                retryTowardsHint(node, reply);
            }
            default -> {
                noteAnswer(node, reply);
                retryAfterBackoff();
            }
        }
    }

    private void noteAnswer(Node node, Reply reply) {
        lastAnswer =
                node + " answered " + reply.code() + (reply.message().isEmpty() ? "" : " (" + reply.message() + ")");
    }

    /**
     * A follower that forwarded the command to the leader names the leader in its OK answer: talk
     * to the leader directly from now on rather than paying the extra hop on every call.
     */
    private void preferHintedLeader(Node node, Reply reply) {
        if (!reply.leaderHint().getAddress().isEmpty()) {
            NodeAddress hinted = reply.hintedAddress();
            if (hinted != null && !hinted.equals(node.address())) {
                settings.nodes().prefer(hinted);
            }
        }
    }

    private void retryTowardsHint(Node node, Reply reply) {
        NodeAddress hinted = reply.hintedAddress();
        if (hinted != null && !hinted.equals(node.address()) && settings.nodes().prefer(hinted) != null) {
            if (!followedHint) {
                followedHint = true;
                schedule(0);
                return;
            }
        }
        retryAfterBackoff();
    }

    /**
     * An attempt failed in transport. It counts against the node unless it merely ran out of time
     * because the call's own deadline was about to pass.
     */
    @Override
    public void onError(Node node, Throwable error, boolean cutShortByDeadline) {
        if (ended) {
            return;
        }
        log.debug("{}: attempt {} on {} failed", request.describe(), attempts, node, error);
        lastError = error;
        lastErrorNode = node;
        boolean outOfTime =
                cutShortByDeadline && Status.fromThrowable(error).getCode() == Status.Code.DEADLINE_EXCEEDED;
        if (!outOfTime) {
            settings.nodes().recordFailure(node);
        }
        retryAfterBackoff();
    }

    private void retryAfterBackoff() {
        followedHint = false;
        long delay = settings.backoff().delayNanos(retries++);
        long remaining = deadlineNanos - System.nanoTime();
        schedule(Math.max(0, Math.min(delay, remaining)));
    }

    private void schedule(long delayNanos) {
        try {
            pending = settings.scheduler().schedule(this::attempt, delayNanos, TimeUnit.NANOSECONDS);
            if (ended) {
                pending.cancel(false);
            }
        } catch (RejectedExecutionException e) {
            giveUp(ConsensusException.Reason.CLOSED, "the client is closed");
        }
    }

    private void giveUp(ConsensusException.Reason reason, String why) {
        String detail = (lastAnswer == null ? "" : "; last answer: " + lastAnswer)
                + (lastError == null ? "" : "; last error: " + lastErrorNode + ": " + lastError);
        fail(new ConsensusException(reason, request.describe() + ": " + why + detail, lastError));
    }
}
