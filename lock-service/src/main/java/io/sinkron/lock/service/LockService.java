package io.sinkron.lock.service;

import io.sinkron.lock.cluster.LockCluster;
import io.sinkron.lock.cluster.WaitingRequests;
import io.sinkron.lock.config.LockProperties;
import io.sinkron.lock.metrics.LockMetrics;
import io.sinkron.proto.LockAcquire;
import io.sinkron.proto.LockCancel;
import io.sinkron.proto.LockCloseSession;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockDeadlocks;
import io.sinkron.proto.LockGrant;
import io.sinkron.proto.LockKeepAlive;
import io.sinkron.proto.LockKeepAliveSession;
import io.sinkron.proto.LockMode;
import io.sinkron.proto.LockOpenSession;
import io.sinkron.proto.LockOutcome;
import io.sinkron.proto.LockRelease;
import io.sinkron.proto.LockResult;
import io.sinkron.proto.LockSession;
import io.sinkron.proto.LockStateView;
import io.sinkron.proto.LockWaitEdge;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Lock operations as the REST API offers them, each one command or read against the lock state
 * machine. Results other than success become {@link LockProblem}s; a cluster that cannot be
 * reached surfaces as the client's {@code ConsensusException}.
 *
 * <p>An acquisition that may wait is registered under a fresh request id before it is submitted.
 * It ends with the cluster's grant or abort event for that id, or, if the cluster's verdict is
 * late (events lost, cluster slow), when this service gives up {@code timeout + waitGrace} after
 * the request: it then cancels the wait in the cluster, and a grant that slipped in before the
 * cancellation is still returned. If the caller goes away first, the wait is cancelled and any
 * grant given back, so no waiter and no orphaned hold lingers.
 */
@Service
public class LockService {

    private static final Logger log = LoggerFactory.getLogger(LockService.class);

    /** What a validated acquire request asks for; {@code ttlMillis} 0 means the default lease. */
    public record Acquisition(
            String lockId, String clientId, LockMode mode, long timeoutMillis, long ttlMillis, String sessionId) {}

    private final LockCluster cluster;
    private final WaitingRequests waiting;
    private final ScheduledExecutorService timers;
    private final long graceMillis;
    private final LockMetrics metrics;

    LockService(
            LockCluster cluster,
            WaitingRequests waiting,
            ScheduledExecutorService waitTimers,
            LockProperties properties,
            LockMetrics metrics) {
        this.cluster = cluster;
        this.waiting = waiting;
        this.timers = waitTimers;
        this.graceMillis = properties.waitGrace().toMillis();
        this.metrics = metrics;
    }

    /**
     * Acquires a lock, waiting up to {@code timeoutMillis}. Cancelling the returned future (the
     * HTTP caller disconnected) withdraws the request.
     */
    public CompletableFuture<LockGrant> acquire(Acquisition a) {
        long started = System.nanoTime();
        var command = LockAcquire.newBuilder()
                .setLockId(a.lockId())
                .setOwner(a.clientId())
                .setMode(a.mode())
                .setWaitTimeoutMs(a.timeoutMillis())
                .setTtlMs(a.ttlMillis())
                .setSessionId(a.sessionId());
        CompletableFuture<LockGrant> grant;
        if (a.timeoutMillis() == 0) {
            grant = cluster.submitBatched(
                            LockCommand.newBuilder().setAcquire(command).build())
                    .thenApply(LockService::grantOrThrow);
        } else {
            grant = acquireWaiting(command, a.timeoutMillis());
        }
        grant.whenComplete((g, error) -> metrics.recordAcquire(started, outcomeTag(error)));
        return grant;
    }

    /** Tries once ({@code timeoutMillis} 0), blocking the calling thread for the one command. */
    public LockGrant tryAcquire(Acquisition a) {
        if (a.timeoutMillis() != 0) {
            throw new IllegalArgumentException("tryAcquire does not wait; use acquire");
        }
        return await(acquire(a));
    }

    private CompletableFuture<LockGrant> acquireWaiting(LockAcquire.Builder command, long timeoutMillis) {
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<LockResult> ending = waiting.register(requestId);
        CompletableFuture<LockResult> submitted = cluster.submit(LockCommand.newBuilder()
                .setAcquire(command.setRequestId(requestId))
                .build());
        submitted.whenComplete((result, error) -> {
            if (error != null) {
                ending.completeExceptionally(unwrap(error));
                // The command may still be applied later; make sure it cannot leave a waiter or hold.
                withdraw(requestId, submitted, true);
            } else if (result.getOutcome() != LockOutcome.LOCK_OUTCOME_WAITING) {
                ending.complete(result);
            }
        });
        ScheduledFuture<?> giveUp = timers.schedule(
                () -> giveUp(requestId, submitted, ending), timeoutMillis + graceMillis, TimeUnit.MILLISECONDS);
        ending.whenComplete((result, error) -> giveUp.cancel(false));
        CompletableFuture<LockGrant> grant = ending.thenApply(LockService::grantOrThrow);
        grant.whenComplete((g, error) -> {
            if (error instanceof CancellationException) {
                ending.cancel(false);
                withdraw(requestId, submitted, true);
            }
        });
        return grant;
    }

    /**
     * The cluster has not decided in time: cancel the wait, or learn how it ended meanwhile. A
     * grant learnt this way may be old (its event was lost), so it is reported only if still held.
     */
    private void giveUp(
            String requestId, CompletableFuture<LockResult> submitted, CompletableFuture<LockResult> ending) {
        withdraw(requestId, submitted, false).thenCompose(cluster::current).whenComplete((result, error) -> {
            if (error != null) {
                ending.completeExceptionally(unwrap(error));
            } else if (result.getOutcome() == LockOutcome.LOCK_OUTCOME_CANCELLED
                    || result.getOutcome() == LockOutcome.LOCK_OUTCOME_UNKNOWN_REQUEST) {
                ending.complete(LockResult.newBuilder()
                        .setOutcome(LockOutcome.LOCK_OUTCOME_TIMEOUT)
                        .setMessage("the lock was not granted within the timeout")
                        .build());
            } else {
                ending.complete(result);
            }
        });
    }

    /**
     * Cancels a request once its acquire command has been answered, so the cancellation cannot
     * overtake it; with {@code releaseIfGranted} a grant made in the meantime is given back.
     */
    private CompletableFuture<LockResult> withdraw(
            String requestId, CompletableFuture<LockResult> submitted, boolean releaseIfGranted) {
        CompletableFuture<LockResult> cancelled = submitted
                .handle((result, error) -> null)
                .thenCompose(ignored -> cluster.submit(LockCommand.newBuilder()
                        .setCancel(
                                LockCancel.newBuilder().setRequestId(requestId).setReleaseIfGranted(releaseIfGranted))
                        .build()));
        if (releaseIfGranted) {
            cancelled.whenComplete((result, error) -> {
                if (error != null) {
                    // The wait still ends at its deadline and any grant with its lease, in log time.
                    log.warn("could not withdraw abandoned lock request {}", requestId, error);
                }
            });
        }
        return cancelled;
    }

    public LockResult release(String lockId, String clientId) {
        return expect(
                LockOutcome.LOCK_OUTCOME_RELEASED,
                await(cluster.submitBatched(LockCommand.newBuilder()
                        .setRelease(LockRelease.newBuilder().setLockId(lockId).setOwner(clientId))
                        .build())));
    }

    public LockGrant keepAlive(String lockId, String clientId) {
        return expect(
                        LockOutcome.LOCK_OUTCOME_OK,
                        await(cluster.submitBatched(LockCommand.newBuilder()
                                .setKeepAlive(LockKeepAlive.newBuilder()
                                        .setLockId(lockId)
                                        .setOwner(clientId))
                                .build())))
                .getGrant();
    }

    public LockStateView state(String lockId) {
        return cluster.state(lockId);
    }

    public boolean valid(String lockId, long fencingToken) {
        return cluster.valid(lockId, fencingToken);
    }

    public LockSession openSession(String clientId, long ttlMillis) {
        return expect(
                        LockOutcome.LOCK_OUTCOME_OK,
                        await(cluster.submit(LockCommand.newBuilder()
                                .setOpenSession(LockOpenSession.newBuilder()
                                        .setOwner(clientId)
                                        .setTtlMs(ttlMillis))
                                .build())))
                .getSession();
    }

    public LockSession keepAliveSession(String sessionId) {
        return expect(
                        LockOutcome.LOCK_OUTCOME_OK,
                        await(cluster.submit(LockCommand.newBuilder()
                                .setKeepAliveSession(
                                        LockKeepAliveSession.newBuilder().setSessionId(sessionId))
                                .build())))
                .getSession();
    }

    /** Closes a session; the result counts the locks it released. */
    public LockResult closeSession(String sessionId) {
        return expect(
                LockOutcome.LOCK_OUTCOME_OK,
                await(cluster.submit(LockCommand.newBuilder()
                        .setCloseSession(LockCloseSession.newBuilder().setSessionId(sessionId))
                        .build())));
    }

    public LockDeadlocks deadlocks() {
        return cluster.deadlocks();
    }

    private static LockGrant grantOrThrow(LockResult result) {
        return expect(LockOutcome.LOCK_OUTCOME_GRANTED, result).getGrant();
    }

    private static LockResult expect(LockOutcome success, LockResult result) {
        if (result.getOutcome() == success) {
            return result;
        }
        throw problem(result);
    }

    private static LockProblem problem(LockResult result) {
        String message = result.getMessage();
        return switch (result.getOutcome()) {
            case LOCK_OUTCOME_TIMEOUT ->
                new LockProblem(ProblemKind.LOCK_TIMEOUT, or(message, "the lock was not granted within the timeout"));
            case LOCK_OUTCOME_DEADLOCK ->
                new LockProblem(
                        ProblemKind.DEADLOCK,
                        or(message, "the request was chosen as the victim of a deadlock"),
                        Map.of("cycle", cycle(result.getCycleList())));
            case LOCK_OUTCOME_NOT_OWNER -> new LockProblem(ProblemKind.NOT_OWNER, message);
            case LOCK_OUTCOME_LEASE_EXPIRED ->
                new LockProblem(ProblemKind.LEASE_EXPIRED, or(message, "the session of the request expired"));
            case LOCK_OUTCOME_SESSION_NOT_FOUND -> new LockProblem(ProblemKind.SESSION_NOT_FOUND, message);
            case LOCK_OUTCOME_CANCELLED ->
                new LockProblem(ProblemKind.CANCELLED, or(message, "the wait was cancelled: its session was closed"));
            case LOCK_OUTCOME_INVALID -> new LockProblem(ProblemKind.VALIDATION, message);
            default -> throw new IllegalStateException("unexpected lock outcome " + result.getOutcome());
        };
    }

    private static List<Map<String, String>> cycle(List<LockWaitEdge> edges) {
        return edges.stream()
                .map(e -> {
                    Map<String, String> edge = new LinkedHashMap<>();
                    edge.put("client_id", e.getOwner());
                    edge.put("lock_id", e.getLockId());
                    return edge;
                })
                .toList();
    }

    private static String or(String message, String fallback) {
        return message.isEmpty() ? fallback : message;
    }

    private static String outcomeTag(Throwable error) {
        if (error == null) {
            return "granted";
        }
        if (unwrap(error) instanceof LockProblem p) {
            return p.kind().name().toLowerCase(Locale.ROOT).replace("lock_", "");
        }
        return error instanceof CancellationException ? "abandoned" : "error";
    }

    /** The failure inside the {@link CompletionException}s that future stages wrap around it. */
    public static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (unwrap(e) instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
