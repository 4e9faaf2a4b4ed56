package io.sinkron.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Status;
import io.sinkron.proto.ConsensusGrpc;
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
 * node {@link NodeDirectory#choose()} picks, with a gRPC deadline of {@code min(attemptTimeout,
 * time left)} and a server-side timeout of four fifths of that, so the node answers TIMEOUT before
 * the transport gives up. Answers are handled as follows:
 *
 * <ul>
 *   <li>OK completes the call; an OK with a leader hint (the node forwarded the request to the
 *       leader) makes the hinted node preferred for later calls; INVALID and SESSION_EXPIRED fail
 *       it at once;
 *   <li>NOT_LEADER and UNAVAILABLE move away from the node; a leader hint naming another node makes
 *       that node preferred and is followed immediately, once in a row (a second hint in a row
 *       waits for the backoff, so nodes with stale hints cannot make the client spin); without a
 *       hint the call backs off;
 *   <li>TIMEOUT backs off and retries, since the command may still commit;
 *   <li>any transport error (the node is unreachable, the attempt's deadline passed, ...) counts as
 *       a failure of that node and backs off; an attempt that only ran out of time because the
 *       call's deadline was near does not count against its node.
 * </ul>
 *
 * <p>At most one attempt or scheduled retry is pending at a time, so the mutable fields are only
 * touched by one thread at a time, handed over through the future callbacks and the scheduler.
 */
final class RetryingCall {

    private static final Logger log = LoggerFactory.getLogger(RetryingCall.class);

    /** Sends one attempt of the request through {@code stub}. */
    @FunctionalInterface
    interface Sender {
        ListenableFuture<Reply> send(ConsensusGrpc.ConsensusFutureStub stub, long serverTimeoutMs);
    }

    /** What every call of one client shares. */
    record Settings(
            NodeDirectory nodes,
            Backoff backoff,
            ScheduledExecutorService scheduler,
            int maxAttempts,
            long attemptTimeoutNanos) {}

    private final String description;
    private final Sender sender;
    private final Settings settings;
    private final long deadlineNanos;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private volatile Future<?> pending;
    private volatile int attempts;
    private int retries;
    private boolean followedHint;
    private String lastAnswer;
    private Throwable lastError;
    private Node lastErrorNode;

    RetryingCall(String description, Sender sender, Settings settings, long deadlineNanos) {
        this.description = description;
        this.sender = sender;
        this.settings = settings;
        this.deadlineNanos = deadlineNanos;
    }

    /** Attempts sent so far. */
    int attempts() {
        return attempts;
    }

    /** The outcome; completing or cancelling it stops further attempts. */
    CompletableFuture<byte[]> result() {
        return result;
    }

    void start() {
        result.whenComplete((value, error) -> {
            Future<?> current = pending;
            if (current != null) {
                current.cancel(false);
            }
        });
        schedule(0);
    }

    /** Ends the call with {@code failure} unless it has already ended. */
    void abort(ConsensusException failure) {
        result.completeExceptionally(failure);
    }

    private void attempt() {
        try {
            if (result.isDone()) {
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
            Node node = settings.nodes().choose();
            long attemptNanos = Math.min(remaining, settings.attemptTimeoutNanos());
            long serverTimeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(attemptNanos) * 4 / 5);
            boolean cutShortByDeadline = attemptNanos == remaining;
            ListenableFuture<Reply> reply;
            try {
                reply = sender.send(node.stub().withDeadlineAfter(attemptNanos, TimeUnit.NANOSECONDS), serverTimeoutMs);
            } catch (RuntimeException e) {
                // A channel shutting down can fail the send itself rather than the call: that is
                // this node's transport failing, and the call goes on with another node.
                onTransportError(node, e, cutShortByDeadline);
                return;
            }
            pending = reply;
            if (result.isDone()) {
                reply.cancel(false);
                return;
            }
            Futures.addCallback(
                    reply,
                    new FutureCallback<>() {
                        @Override
                        public void onSuccess(Reply answer) {
                            onReply(node, answer);
                        }

                        @Override
                        public void onFailure(Throwable error) {
                            onTransportError(node, error, cutShortByDeadline);
                        }
                    },
                    MoreExecutors.directExecutor());
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    private void onReply(Node node, Reply reply) {
        if (result.isDone()) {
            return;
        }
        settings.nodes().recordSuccess(node);
        lastAnswer =
                node + " answered " + reply.code() + (reply.message().isEmpty() ? "" : " (" + reply.message() + ")");
        switch (reply.code()) {
            case RESULT_CODE_OK -> {
                preferHintedLeader(node, reply);
                result.complete(reply.result().toByteArray());
            }
            case RESULT_CODE_INVALID -> giveUp(ConsensusException.Reason.INVALID, "rejected by the cluster");
            case RESULT_CODE_SESSION_EXPIRED ->
                giveUp(
                        ConsensusException.Reason.SESSION_EXPIRED,
                        "the cluster forgot this client's session; a command may or may not have been applied");
            case RESULT_CODE_NOT_LEADER, RESULT_CODE_UNAVAILABLE -> {
                settings.nodes().moveAwayFrom(node);
                retryTowardsHint(node, reply);
            }
            default -> retryAfterBackoff();
        }
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
    private void onTransportError(Node node, Throwable error, boolean cutShortByDeadline) {
        if (result.isDone()) {
            return;
        }
        log.debug("{}: attempt {} on {} failed", description, attempts, node, error);
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
        } catch (RejectedExecutionException e) {
            giveUp(ConsensusException.Reason.CLOSED, "the client is closed");
        }
    }

    private void giveUp(ConsensusException.Reason reason, String why) {
        String detail = (lastAnswer == null ? "" : "; last answer: " + lastAnswer)
                + (lastError == null ? "" : "; last error: " + lastErrorNode + ": " + lastError);
        result.completeExceptionally(new ConsensusException(reason, description + ": " + why + detail, lastError));
    }
}
