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
        }
        onClose.accept(this);
    }

    private void connect() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            Node node = nodes.choose();
            ClientCall<EventsRequest, Event> next =
                    node.channel().newCall(ConsensusGrpc.getEventsMethod(), CallOptions.DEFAULT);
            call = next;
            next.start(new StreamListener(node, next), new Metadata());
            next.sendMessage(request);
            next.halfClose();
            next.request(1);
        }
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
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("event listener failed on event {} of {}", event.getIndex(), event.getStateMachine(), e);
            }
            own.request(1);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            long delay;
            synchronized (lock) {
                if (closed || call != own) {
                    return;
                }
                connected = false;
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
            synchronized (lock) {
                if (closed || call != own) {
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
            nodes.recordSuccess(node);
            if (reconnected) {
                try {
                    onReconnect.run();
                } catch (RuntimeException e) {
                    log.warn("onReconnect callback failed", e);
                }
            }
            return true;
        }
    }
}
