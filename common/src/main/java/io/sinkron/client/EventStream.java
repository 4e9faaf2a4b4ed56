package io.sinkron.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.Event;
import io.sinkron.proto.EventsRequest;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Subscription} behind {@link ConsensusClient#events}: one Events stream at a time on
 * the node {@link NodeDirectory#choose()} picks, re-opened with backoff whenever it ends.
 *
 * <p>The stream follows the leader. A node emits an event when it applies the entry, and a follower
 * applies only after the leader has told it the entry committed, one message later; so a stream on
 * a follower hears of a grant or an invalidation later than one on the leader, which a lock hand-off
 * or a waiting write pays for in full. When an event arrives on a node other than the one the
 * client now believes to be the leader, a stream is opened on the leader beside it; once that one
 * is established, the old one is cancelled and {@code onReconnect} runs, as after a break (events
 * the old node had not yet applied when the new stream began are not delivered twice or at all:
 * they are for the consumer to reconcile, as after any reconnect). At most one move per {@link
 * #MOVE_INTERVAL_NANOS}, and a stream that fails to open on the leader leaves the old one in place.
 *
 * <p>A stream counts as established once the node sends its headers or a first event. When a
 * stream is established after an earlier one broke, {@code onReconnect} runs before the first event
 * of the new stream is delivered. A stream that ends before it was established counts as a failure
 * of its node, so the next try goes elsewhere; the backoff restarts after every established stream.
 *
 * <p>Listener calls of one stream are serialized by gRPC and come from its executor; a listener
 * that throws is logged and the stream carries on.
 */
final class EventStream implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(EventStream.class);

    /** Least time between two moves to the leader, so that a flapping leader does not churn streams. */
    static final long MOVE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final NodeDirectory nodes;
    private final EventsRequest request;
    private final Consumer<Event> listener;
    private final Runnable onReconnect;
    private final Backoff backoff;
    private final ScheduledExecutorService scheduler;
    private final Consumer<EventStream> onClose;
    private final Object lock = new Object();
    private volatile boolean connected;
    private boolean closed;
    private boolean everEstablished;
    private int failures;
    private ClientCall<EventsRequest, Event> call;
    private Node callNode;
    /** A stream being opened on the leader to replace {@code call}, or {@code null}. */
    private ClientCall<EventsRequest, Event> moving;

    private long lastMoveNanos = System.nanoTime() - MOVE_INTERVAL_NANOS;
    private int moves;
    /** Serializes the listener across the old and the new stream while the stream moves. */
    private final Object delivery = new Object();

    private Future<?> retry;

    EventStream(
            NodeDirectory nodes,
            EventsRequest request,
            Consumer<Event> listener,
            Runnable onReconnect,
            Backoff backoff,
            ScheduledExecutorService scheduler,
            Consumer<EventStream> onClose) {
        this.nodes = nodes;
        this.request = request;
        this.listener = listener;
        this.onReconnect = onReconnect;
        this.backoff = backoff;
        this.scheduler = scheduler;
        this.onClose = onClose;
    }

    void start() {
        connect();
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    /** How many moves to the leader have been started, and whether one is still under way (tests). */
    int movesStarted() {
        synchronized (lock) {
            return moves;
        }
    }

    boolean moveUnderWay() {
        synchronized (lock) {
            return moving != null;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            connected = false;
            if (retry != null) {
                retry.cancel(false);
            }
            if (call != null) {
                call.cancel("subscription closed", null);
            }
            if (moving != null) {
                var abandoned = moving;
                moving = null;
                abandoned.cancel("subscription closed", null);
            }
        }
        onClose.accept(this);
    }

    private void connect() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            Node node = nodes.choose();
            call = open(node);
            callNode = node;
        }
    }

    private ClientCall<EventsRequest, Event> open(Node node) {
        ClientCall<EventsRequest, Event> next =
                node.channel().newCall(ConsensusGrpc.getEventsMethod(), CallOptions.DEFAULT);
        next.start(new StreamListener(node, next), new Metadata());
        next.sendMessage(request);
        next.halfClose();
        next.request(1);
        return next;
    }

    /** Opens a stream on the leader if the current one runs elsewhere (see the class comment). */
    private void followLeader(Node current) {
        Node leader = nodes.preferred();
        if (leader == null || leader == current) {
            return;
        }
        long now = System.nanoTime();
        synchronized (lock) {
            if (closed
                    || !connected
                    || moving != null
                    || callNode != current
                    || now - lastMoveNanos < MOVE_INTERVAL_NANOS
                    || !leader.health().isAvailable(now)) {
                return;
            }
            lastMoveNanos = now;
            moves++;
            moving = open(leader);
        }
        log.debug("event stream on {} moving to the leader {}", current, leader);
    }

    private final class StreamListener extends ClientCall.Listener<Event> {

        private final Node node;
        private final ClientCall<EventsRequest, Event> own;
        private boolean established;

        StreamListener(Node node, ClientCall<EventsRequest, Event> own) {
            this.node = node;
            this.own = own;
        }

        @Override
        public void onHeaders(Metadata headers) {
            established();
        }

        @Override
        public void onMessage(Event event) {
            if (!established()) {
                return;
            }
            synchronized (delivery) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    log.warn("event listener failed on event {} of {}", event.getIndex(), event.getStateMachine(), e);
                }
            }
            own.request(1);
            followLeader(node);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            long delay;
            synchronized (lock) {
                if (!closed && moving == own) {
                    // The leader did not take the stream: stay where we are.
                    moving = null;
                    nodes.recordFailure(node);
                    return;
                }
                if (closed || call != own) {
                    return;
                }
                connected = false;
                if (moving != null) {
                    // Start over from choose(), which prefers the leader anyway.
                    var abandoned = moving;
                    moving = null;
                    abandoned.cancel("the event stream broke while moving", null);
                }
                if (established) {
                    failures = 0;
                } else {
                    nodes.recordFailure(node);
                }
                delay = backoff.delayNanos(failures++);
                try {
                    retry = scheduler.schedule(EventStream.this::connect, delay, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    return;
                }
            }
            log.debug("event stream on {} ended with {}; re-subscribing in {} ms", node, status, delay / 1_000_000);
        }

        /** Marks the stream established; false if the subscription has moved on from it. */
        private boolean established() {
            boolean reconnected;
            ClientCall<EventsRequest, Event> replaced = null;
            synchronized (lock) {
                if (!closed && moving == own) {
                    // The stream on the leader is up: it replaces the old one.
                    replaced = call;
                    call = own;
                    callNode = node;
                    moving = null;
                } else if (closed || call != own) {
                    return false;
                }
                if (established) {
                    return true;
                }
                established = true;
                connected = true;
                reconnected = everEstablished;
                everEstablished = true;
            }
            if (replaced != null) {
                replaced.cancel("the event stream moved to the leader", null);
            }
            nodes.recordSuccess(node);
            if (reconnected) {
                synchronized (delivery) {
                    try {
                        onReconnect.run();
                    } catch (RuntimeException e) {
                        log.warn("onReconnect callback failed", e);
                    }
                }
            }
            return true;
        }
    }
}
