package io.sinkron.client;

import com.google.protobuf.ByteString;
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
import io.sinkron.proto.MultiplexedRequest;
import io.sinkron.proto.MultiplexedResponse;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ReadResponse;
import io.sinkron.proto.ResultCode;
import io.sinkron.proto.StatusRequest;
import io.sinkron.proto.StatusResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A scriptable in-process consensus node, reachable under the in-process name equal to its address.
 * It records every request it receives; by default it answers Submit and Read with OK, echoing the
 * payload or query. Event streams are kept open until the test emits on or breaks them.
 *
 * <p>Submits and Reads arriving on a Multiplex stream go to the same scripted handlers as unary ones;
 * a handler's {@code onError} ends the whole stream with that status, as a failing node would. With
 * {@link #multiplex} off, the node refuses the stream as UNIMPLEMENTED, like a node that predates it.
 */
final class FakeNode implements AutoCloseable {

    final NodeAddress address;
    final Queue<CommandRequest> submits = new ConcurrentLinkedQueue<>();
    final Queue<ReadRequest> reads = new ConcurrentLinkedQueue<>();
    final Queue<EventsRequest> eventRequests = new ConcurrentLinkedQueue<>();
    final Queue<ServerCallStreamObserver<Event>> openStreams = new ConcurrentLinkedQueue<>();
    volatile BiConsumer<CommandRequest, StreamObserver<CommandResponse>> onSubmit =
            (request, observer) -> reply(observer, ok(request.getPayload()));
    volatile Function<ReadRequest, ReadResponse> onRead =
            request -> ReadResponse.newBuilder().setResult(request.getQuery()).build();
    volatile StatusResponse status;
    volatile boolean multiplex = true;
    final Queue<ServerCallStreamObserver<MultiplexedResponse>> multiplexedStreams = new ConcurrentLinkedQueue<>();
    private Server server;

    FakeNode(String address) {
        this.address = NodeAddress.parse(address);
        this.status = StatusResponse.newBuilder().setNodeId(address).build();
    }

    FakeNode start() {
        try {
            server = InProcessServerBuilder.forName(address.toString())
                    .addService(ServerInterceptors.intercept(new Service(), new EagerHeaders()))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Stops the node abruptly: open calls fail and new ones cannot connect. */
    @Override
    public void close() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    List<Long> submittedSequences() {
        return submits.stream().map(CommandRequest::getSequence).toList();
    }

    void emit(Event event) {
        openStreams.forEach(stream -> {
            if (!stream.isCancelled()) {
                stream.onNext(event);
            }
        });
    }

    /** Ends every open event stream with an error, as a node losing its state machine would. */
    void breakStreams() {
        ServerCallStreamObserver<Event> stream;
        while ((stream = openStreams.poll()) != null) {
            stream.onError(
                    Status.UNAVAILABLE.withDescription("stream broken by test").asRuntimeException());
        }
    }

    long liveStreams() {
        return openStreams.stream().filter(stream -> !stream.isCancelled()).count();
    }

    static CommandResponse ok(ByteString result) {
        return CommandResponse.newBuilder()
                .setCode(ResultCode.RESULT_CODE_OK)
                .setResult(result)
                .build();
    }

    static CommandResponse answer(ResultCode code) {
        return CommandResponse.newBuilder()
                .setCode(code)
                .setMessage("fake " + code)
                .build();
    }

    static CommandResponse notLeader(FakeNode leader) {
        return CommandResponse.newBuilder()
                .setCode(ResultCode.RESULT_CODE_NOT_LEADER)
                .setLeaderHint(
                        LeaderHint.newBuilder().setNodeId(leader.address.host()).setAddress(leader.address.toString()))
                .build();
    }

    static <T> void reply(StreamObserver<T> observer, T response) {
        observer.onNext(response);
        observer.onCompleted();
    }

    private final class Service extends ConsensusGrpc.ConsensusImplBase {

        @Override
        public void submit(CommandRequest request, StreamObserver<CommandResponse> observer) {
            submits.add(request);
            onSubmit.accept(request, observer);
        }

        @Override
        public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
            reads.add(request);
            reply(observer, onRead.apply(request));
        }

        @Override
        public StreamObserver<MultiplexedRequest> multiplex(StreamObserver<MultiplexedResponse> observer) {
            var stream = (ServerCallStreamObserver<MultiplexedResponse>) observer;
            if (!multiplex) {
                stream.onError(Status.UNIMPLEMENTED
                        .withDescription("no Multiplex here")
                        .asRuntimeException());
                return new StreamObserver<>() {
                    @Override
                    public void onNext(MultiplexedRequest request) {}

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                };
            }
            multiplexedStreams.add(stream);
            stream.setOnCancelHandler(() -> {});
            return new StreamObserver<>() {
                @Override
                public void onNext(MultiplexedRequest request) {
                    long id = request.getCallId();
                    switch (request.getRequestCase()) {
                        case SUBMIT -> {
                            submits.add(request.getSubmit());
                            onSubmit.accept(
                                    request.getSubmit(),
                                    answering(
                                            stream,
                                            response -> MultiplexedResponse.newBuilder()
                                                    .setCallId(id)
                                                    .setSubmit(response)
                                                    .build()));
                        }
                        case READ -> {
                            reads.add(request.getRead());
                            answering(
                                            stream,
                                            (ReadResponse response) -> MultiplexedResponse.newBuilder()
                                                    .setCallId(id)
                                                    .setRead(response)
                                                    .build())
                                    .onNext(onRead.apply(request.getRead()));
                        }
                        default -> throw new IllegalArgumentException("empty request " + request);
                    }
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    synchronized (stream) {
                        stream.onCompleted();
                    }
                }
            };
        }

        @Override
        public void events(EventsRequest request, StreamObserver<Event> observer) {
            eventRequests.add(request);
            openStreams.add((ServerCallStreamObserver<Event>) observer);
        }

        @Override
        public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
            reply(observer, status);
        }
    }

    /** An observer of one call's answer that writes it, with its call id, to a multiplexed stream. */
    private static <T> StreamObserver<T> answering(
            ServerCallStreamObserver<MultiplexedResponse> stream, Function<T, MultiplexedResponse> wrap) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T response) {
                synchronized (stream) {
                    if (!stream.isCancelled()) {
                        stream.onNext(wrap.apply(response));
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                synchronized (stream) {
                    if (!stream.isCancelled()) {
                        stream.onError(t);
                    }
                }
            }

            @Override
            public void onCompleted() {}
        };
    }

    /**
     * Sends response headers as soon as a call arrives, so a client sees an event stream accepted
     * before its first event (what a real node should do too).
     */
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
