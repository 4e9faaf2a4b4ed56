package io.sinkron.queue;

import com.google.protobuf.ByteString;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.consensus.statemachine.AppliedCommand;
import io.sinkron.consensus.statemachine.StateMachineRegistry;
import io.sinkron.consensus.statemachine.queue.QueueStateMachine;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.Event;
import io.sinkron.proto.EventsRequest;
import io.sinkron.proto.LeaderHint;
import io.sinkron.proto.LogCommand;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ReadResponse;
import io.sinkron.proto.ResultCode;
import io.sinkron.proto.StatusRequest;
import io.sinkron.proto.StatusResponse;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A one-node consensus "cluster" in process: the real {@link StateMachineRegistry} with the real
 * {@link QueueStateMachine} behind the real gRPC Consensus service contract, minus Raft. Commands
 * are applied in arrival order at consecutive log indexes with the log time of a manual clock, and
 * events go to every open Events stream, as a leader would send them.
 */
final class FakeConsensusNode implements AutoCloseable {

    static final String ADDRESS = "fake-node:7000";

    private final StateMachineRegistry registry =
            new StateMachineRegistry(Duration.ofHours(1).toMillis()).register(new QueueStateMachine());
    private final List<ServerCallStreamObserver<Event>> streams = new ArrayList<>();
    private long index;
    private long clockMillis = 1_767_225_600_000L;
    private Server server;

    FakeConsensusNode start() {
        try {
            server = InProcessServerBuilder.forName(ADDRESS)
                    .addService(ServerInterceptors.intercept(new Service(), new EagerHeaders()))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A client of this node, as the service would have for a real cluster. */
    static ConsensusClient client() {
        return new ConsensusClient(
                ConsensusClientConfig.parse(ADDRESS).withDefaultDeadline(Duration.ofSeconds(3)),
                address -> InProcessChannelBuilder.forName(address.toString())
                        .directExecutor()
                        .build());
    }

    /** Log time moves on: the leader's clock entry. */
    synchronized void advanceClock(Duration by) {
        clockMillis += by.toMillis();
        apply(LogCommand.newBuilder()
                .setStateMachine(StateMachineRegistry.CLOCK)
                .setTimestampMillis(clockMillis)
                .build());
    }

    /** A digest of a state machine's snapshot: while it stays the same, so does that replicated state. */
    synchronized String stateDigest(String stateMachine) {
        var snapshot = new ByteArrayOutputStream();
        try {
            registry.get(stateMachine).snapshot(new DataOutputStream(snapshot));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(snapshot.toByteArray()));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized long clockMillis() {
        return clockMillis;
    }

    /**
     * Ends every event stream, as a node that goes away would, and then applies a command of
     * another client of the cluster before anyone can reconnect: its events reach no one.
     */
    synchronized void breakEventStreamsThenSubmitAsAnotherClient(String stateMachine, byte[] payload) {
        streams.forEach(s ->
                s.onError(Status.UNAVAILABLE.withDescription("node went away").asRuntimeException()));
        streams.clear();
        AppliedCommand applied = apply(LogCommand.newBuilder()
                .setClientId("another-client-" + index)
                .setSequence(1)
                .setStateMachine(stateMachine)
                .setPayload(ByteString.copyFrom(payload))
                .setTimestampMillis(clockMillis)
                .build());
        if (applied.code() != ResultCode.RESULT_CODE_OK) {
            throw new IllegalStateException("command refused: " + applied.message());
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
    }

    private AppliedCommand apply(LogCommand command) {
        long at = ++index;
        return registry.apply(at, command.toByteArray(), (stateMachine, eventIndex, payload) -> {
            Event event = Event.newBuilder()
                    .setStateMachine(stateMachine)
                    .setIndex(eventIndex)
                    .setPayload(ByteString.copyFrom(payload))
                    .build();
            streams.removeIf(ServerCallStreamObserver::isCancelled);
            streams.forEach(s -> s.onNext(event));
        });
    }

    private final class Service extends ConsensusGrpc.ConsensusImplBase {

        @Override
        public void submit(CommandRequest request, StreamObserver<CommandResponse> observer) {
            AppliedCommand applied;
            long at;
            synchronized (FakeConsensusNode.this) {
                applied = apply(LogCommand.newBuilder()
                        .setClientId(request.getClientId())
                        .setSequence(request.getSequence())
                        .setAckedSequence(request.getAckedSequence())
                        .setStateMachine(request.getStateMachine())
                        .setPayload(request.getPayload())
                        .setTimestampMillis(clockMillis)
                        .build());
                at = index;
            }
            observer.onNext(CommandResponse.newBuilder()
                    .setCode(applied.code())
                    .setResult(ByteString.copyFrom(applied.result()))
                    .setMessage(applied.message())
                    .setIndex(at)
                    .build());
            observer.onCompleted();
        }

        @Override
        public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
            ReadResponse response;
            synchronized (FakeConsensusNode.this) {
                var machine = registry.get(request.getStateMachine());
                response = machine == null
                        ? ReadResponse.newBuilder()
                                .setCode(ResultCode.RESULT_CODE_INVALID)
                                .setMessage("unknown state machine")
                                .build()
                        : ReadResponse.newBuilder()
                                .setCode(ResultCode.RESULT_CODE_OK)
                                .setResult(ByteString.copyFrom(
                                        machine.query(request.getQuery().toByteArray())))
                                .setIndex(index)
                                .build();
            }
            observer.onNext(response);
            observer.onCompleted();
        }

        @Override
        public void events(EventsRequest request, StreamObserver<Event> observer) {
            synchronized (FakeConsensusNode.this) {
                streams.add((ServerCallStreamObserver<Event>) observer);
            }
        }

        @Override
        public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
            LeaderHint self = LeaderHint.newBuilder()
                    .setNodeId("fake")
                    .setAddress(ADDRESS)
                    .build();
            observer.onNext(StatusResponse.newBuilder()
                    .setNodeId("fake")
                    .setRole("LEADER")
                    .setTerm(1)
                    .setLeader(self)
                    .build());
            observer.onCompleted();
        }
    }

    /** Sends response headers at once, so a client sees its event stream accepted before any event. */
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
