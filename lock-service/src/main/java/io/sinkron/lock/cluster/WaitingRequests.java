package io.sinkron.lock.cluster;

import io.sinkron.client.Subscription;
import io.sinkron.proto.LockEvent;
import io.sinkron.proto.LockOutcome;
import io.sinkron.proto.LockRequestStatus;
import io.sinkron.proto.LockResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The acquisitions of this service instance that are queued in the cluster, by request id, and
 * the one event subscription that ends them. A grant or abort event for a registered request
 * completes its future at once: waiting callers are woken by the cluster, never by polling.
 *
 * <p>Events emitted while the stream is down are not replayed, so after every reconnect the
 * outcome of each registered request is read back from the cluster, which remembers recent
 * outcomes by request id. The read-back is retried until it succeeds: a stream often reconnects
 * to a node that knows no leader yet, and a waiter whose grant was lost must not hold the lock
 * unawares until its own timeout. A grant read back is reported only if it is still held.
 */
@Component
public class WaitingRequests implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WaitingRequests.class);

    /** Between read-back attempts; a failed one has already waited out the consensus deadline. */
    private static final Duration READ_BACK_RETRY = Duration.ofMillis(200);

    private final LockCluster cluster;
    private final ScheduledExecutorService timers;
    private final ConcurrentHashMap<String, CompletableFuture<LockResult>> pending = new ConcurrentHashMap<>();
    private volatile Subscription subscription;

    WaitingRequests(LockCluster cluster, ScheduledExecutorService waitTimers) {
        this.cluster = cluster;
        this.timers = waitTimers;
    }

    /**
     * Registers a request before its acquire command is submitted, so that an event racing ahead
     * of the command's response is not missed. The future completes with the request's final
     * result; it leaves the registry when it completes in any way.
     */
    public CompletableFuture<LockResult> register(String requestId) {
        var ending = new CompletableFuture<LockResult>();
        pending.put(requestId, ending);
        ending.whenComplete((result, error) -> pending.remove(requestId, ending));
        return ending;
    }

    public int size() {
        return pending.size();
    }

    /** Whether the event stream is up; while it is not, waits end late (at their own deadline). */
    public boolean connected() {
        Subscription s = subscription;
        return s != null && s.isConnected();
    }

    private void onEvent(LockEvent event) {
        switch (event.getEventCase()) {
            case GRANTED ->
                complete(
                        event.getGranted().getRequestId(),
                        LockResult.newBuilder()
                                .setOutcome(LockOutcome.LOCK_OUTCOME_GRANTED)
                                .setGrant(event.getGranted())
                                .build());
            case ABORTED ->
                complete(
                        event.getAborted().getRequestId(),
                        LockResult.newBuilder()
                                .setOutcome(event.getAborted().getOutcome())
                                .addAllCycle(event.getAborted().getCycleList())
                                .build());
            case EVENT_NOT_SET -> log.warn("ignoring an empty lock event");
        }
    }

    /**
     * Reads back the outcome of every registered request, again and again until a read succeeds
     * or nothing is registered any more (every wait also ends at its own give-up), or this
     * instance stops.
     */
    private void reconcile() {
        List<String> ids = List.copyOf(pending.keySet());
        if (ids.isEmpty() || subscription == null) {
            return;
        }
        cluster.statuses(ids).whenComplete((statuses, error) -> {
            if (error != null) {
                log.warn(
                        "could not read back {} waiting requests after the event stream reconnected; trying again",
                        ids.size(),
                        error);
                retryReconcile();
                return;
            }
            for (LockRequestStatus status : statuses.getStatusesList()) {
                if (status.getOutcome() != LockOutcome.LOCK_OUTCOME_WAITING
                        && status.getOutcome() != LockOutcome.LOCK_OUTCOME_UNKNOWN_REQUEST) {
                    completeReadBack(status);
                }
            }
        });
    }

    private void retryReconcile() {
        try {
            timers.schedule(this::reconcile, READ_BACK_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // The application is shutting down; its waits end with it.
        }
    }

    private void completeReadBack(LockRequestStatus status) {
        LockResult remembered = LockResult.newBuilder()
                .setOutcome(status.getOutcome())
                .setGrant(status.getGrant())
                .addAllCycle(status.getCycleList())
                .build();
        cluster.current(remembered).whenComplete((result, error) -> {
            if (error != null) {
                // The service's own give-up ends the wait and checks the grant again.
                log.warn("could not check the grant read back for request {}", status.getRequestId(), error);
            } else {
                complete(status.getRequestId(), result);
            }
        });
    }

    private void complete(String requestId, LockResult result) {
        CompletableFuture<LockResult> ending = pending.get(requestId);
        if (ending != null) {
            ending.complete(result);
        }
    }

    @Override
    public void start() {
        subscription = cluster.events(this::onEvent, this::reconcile);
    }

    @Override
    public void stop() {
        subscription.close();
        subscription = null;
    }

    @Override
    public boolean isRunning() {
        return subscription != null;
    }
}
