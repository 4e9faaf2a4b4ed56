package io.sinkron.lock.cluster;

import io.sinkron.client.Subscription;
import io.sinkron.proto.LockEvent;
import io.sinkron.proto.LockOutcome;
import io.sinkron.proto.LockRequestStatus;
import io.sinkron.proto.LockResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * outcomes by request id.
 */
@Component
public class WaitingRequests implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WaitingRequests.class);

    private final LockCluster cluster;
    private final ConcurrentHashMap<String, CompletableFuture<LockResult>> pending = new ConcurrentHashMap<>();
    private volatile Subscription subscription;

    WaitingRequests(LockCluster cluster) {
        this.cluster = cluster;
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

    private void reconcile() {
        List<String> ids = List.copyOf(pending.keySet());
        if (ids.isEmpty()) {
            return;
        }
        cluster.statuses(ids).whenComplete((statuses, error) -> {
            if (error != null) {
                // The waits still end at their deadline, through the service's own timer.
                log.warn(
                        "could not read back {} waiting requests after the event stream reconnected",
                        ids.size(),
                        error);
                return;
            }
            for (LockRequestStatus status : statuses.getStatusesList()) {
                if (status.getOutcome() != LockOutcome.LOCK_OUTCOME_WAITING
                        && status.getOutcome() != LockOutcome.LOCK_OUTCOME_UNKNOWN_REQUEST) {
                    complete(
                            status.getRequestId(),
                            LockResult.newBuilder()
                                    .setOutcome(status.getOutcome())
                                    .setGrant(status.getGrant())
                                    .addAllCycle(status.getCycleList())
                                    .build());
                }
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
