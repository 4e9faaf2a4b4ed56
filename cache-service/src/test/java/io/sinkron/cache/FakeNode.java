package io.sinkron.cache;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.Event;
import io.sinkron.proto.EventsRequest;
import io.sinkron.proto.LeaderHint;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ReadResponse;
import io.sinkron.proto.StatusRequest;
import io.sinkron.proto.StatusResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One in-process node of a {@link FakeConsensusCluster}, with the faults a test may inject: the
 * node can be cut off (every call fails, every event stream breaks), and the events it streams can
 * be lost or delayed (in order, as on a real stream).
 */
final class FakeNode implements AutoCloseable {

    final String address;
    private final FakeConsensusCluster cluster;
    private final Map<ServerCallStreamObserver<Event>, Long> streams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService delivery = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("fake-node-events").daemon().factory());
    private volatile boolean cutOff;
    private volatile double lossProbability;
    private volatile long maxDelayMillis;
    private final Random random = new Random(42);
    private Server server;

    FakeNode(FakeConsensusCluster cluster, String address) {
        this.cluster = cluster;
        this.address = address;
    }

    FakeNode start() {
        try {
            server = InProcessServerBuilder.forName(address)
                    .addService(ServerInterceptors.intercept(new Service(), new EagerHeaders()))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Cuts the node off (calls fail as if it were unreachable, streams break) or reconnects it. */
    void cutOff(boolean off) {
        cutOff = off;
        if (off) {
            // On the delivery thread, since a stream must not be written by two threads at once.
            delivery.execute(() -> {
                streams.keySet()
                        .forEach(stream -> stream.onError(Status.UNAVAILABLE
                                .withDescription("cut off by the test")
                                .asRuntimeException()));
                streams.clear();
            });
        }
    }

    /** Each event is lost with {@code probability}, or else delayed by up to {@code maxDelayMillis}. */
    void eventFaults(double probability, long maxDelayMillis) {
        this.lossProbability = probability;
        this.maxDelayMillis = maxDelayMillis;
    }

    /** Called by the cluster, in log order, under its lock. */
    void publish(Event event) {
        if (cutOff) {
            return;
        }
        for (var stream : streams.entrySet()) {
            synchronized (random) {
                if (random.nextDouble() < lossProbability) {
                    continue;
                }
                long delay = maxDelayMillis == 0 ? 0 : random.nextLong(maxDelayMillis + 1);
                // Never earlier than the stream's previous event: a stream keeps its order.
                long at = Math.max(stream.getValue(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay));
                stream.setValue(at);
                delivery.schedule(() -> deliver(stream.getKey(), event), at - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
        }
    }

    private void deliver(ServerCallStreamObserver<Event> stream, Event event) {
        if (!cutOff && streams.containsKey(stream) && !stream.isCancelled()) {
            try {
                stream.onNext(event);
            } catch (RuntimeException e) {
                // The client cancelled the stream in the meantime.
                streams.remove(stream);
            }
        }
    }

    @Override
    public void close() {
        delivery.shutdownNow();
        if (server != null) {
            server.shutdownNow();
        }
    }

    private final class Service extends ConsensusGrpc.ConsensusImplBase {

        @Override
        public void submit(CommandRequest request, StreamObserver<CommandResponse> observer) {
            if (refuse(observer)) {
                return;
            }
            observer.onNext(cluster.submit(request));
            observer.onCompleted();
        }

        @Override
        public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
            if (refuse(observer)) {
                return;
            }
            observer.onNext(cluster.read(request));
            observer.onCompleted();
        }

        @Override
        public void events(EventsRequest request, StreamObserver<Event> observer) {
            if (refuse(observer)) {
                return;
            }
            var stream = (ServerCallStreamObserver<Event>) observer;
            stream.setOnCancelHandler(() -> streams.remove(stream));
            streams.put(stream, System.nanoTime());
        }

        @Override
        public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
            if (refuse(observer)) {
                return;
            }
            observer.onNext(StatusResponse.newBuilder()
                    .setNodeId(address)
                    .setRole("leader")
                    .setLeader(LeaderHint.newBuilder().setNodeId(address).setAddress(address))
                    .setCommitIndex(cluster.lastIndex())
                    .setLastApplied(cluster.lastIndex())
                    .build());
            observer.onCompleted();
        }

        private boolean refuse(StreamObserver<?> observer) {
            if (cutOff) {
                observer.onError(Status.UNAVAILABLE
                        .withDescription("cut off by the test")
                        .asRuntimeException());
            }
            return cutOff;
        }
    }

    /** Sends headers at once, so the client sees an event stream established before any event. */
    private static final class EagerHeaders implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            call.sendHeaders(new Metadata());
            return next.startCall(
                    new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                        @Override
                        public void sendHeaders(Metadata ignored) {}
                    },
                    headers);
        }
    }
}
