package io.sinkron.lock;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
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
import io.sinkron.consensus.node.StateMachines;
import io.sinkron.consensus.statemachine.AppliedCommand;
import io.sinkron.consensus.statemachine.StateMachineRegistry;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.Event;
import io.sinkron.proto.EventsRequest;
import io.sinkron.proto.LeaderHint;
import io.sinkron.proto.LockCommand;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A one-node consensus "cluster" inside the test JVM: the real state machine registry (with the
 * real lock state machine) behind the real gRPC contract, minus Raft. Every command is applied at
 * once at the next log index, stamped with a clock the test moves by hand, and its events are
 * pushed to the open event streams, as a consensus node does.
 */
public final class InProcessConsensusNode implements AutoCloseable {

    public static final String ADDRESS = "lock-test-node:7000";

    private final StateMachineRegistry registry = StateMachines.create(3_600_000);
    private final List<ServerCallStreamObserver<Event>> streams = new CopyOnWriteArrayList<>();
    private long index;
    private int lockBatches;
    private long nowMillis = 1_767_225_600_000L;
    private volatile boolean serving = true;
    private volatile boolean losingEvents;
    private volatile boolean electing;
    private Server server;

    public InProcessConsensusNode start() {
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

    @Override
    public void close() {
        server.shutdownNow();
    }

    /** Moves log time forward by {@code millis} and applies a clock entry, as the leader does. */
    public synchronized void tick(long millis) {
        nowMillis += millis;
        apply(LogCommand.newBuilder()
                .setStateMachine(StateMachineRegistry.CLOCK)
                .setTimestampMillis(nowMillis)
                .build());
    }

    /** A digest of a state machine's snapshot: while it stays the same, so does that replicated state. */
    public synchronized String stateDigest(String stateMachine) {
        var snapshot = new ByteArrayOutputStream();
        try {
            registry.get(stateMachine).snapshot(new DataOutputStream(snapshot));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(snapshot.toByteArray()));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized long nowMillis() {
        return nowMillis;
    }

    /** While not serving, every call fails as if the node were unreachable. */
    public void serving(boolean serving) {
        this.serving = serving;
    }

    /**
     * While electing, commands and reads are answered UNAVAILABLE, as by a node that knows no
     * leader, but event streams are still accepted: a node serves events from its own log.
     */
    public void electing(boolean electing) {
        this.electing = electing;
    }

    /** While losing events, the node applies commands but delivers none of their events. */
    public void losingEvents(boolean losing) {
        this.losingEvents = losing;
    }

    /** Ends every open event stream with an error, as a crashing node would. */
    public void breakEventStreams() {
        for (ServerCallStreamObserver<Event> stream : streams) {
            streams.remove(stream);
            stream.onError(
                    Status.UNAVAILABLE.withDescription("stream broken by test").asRuntimeException());
        }
    }

    public int openEventStreams() {
        return streams.size();
    }

    /** The index of the last entry applied. */
    public synchronized long index() {
        return index;
    }

    /** How many applied entries carried a {@code LockBatch} of several commands. */
    public synchronized int lockBatches() {
        return lockBatches;
    }

    private synchronized CommandResponse submit(CommandRequest request) {
        long at = index + 1;
        if (request.getStateMachine().equals("lock")) {
            try {
                if (LockCommand.parseFrom(request.getPayload()).hasBatch()) {
                    lockBatches++;
                }
            } catch (InvalidProtocolBufferException e) {
                // The state machine answers it INVALID.
            }
        }
        AppliedCommand applied = apply(LogCommand.newBuilder()
                .setClientId(request.getClientId())
                .setSequence(request.getSequence())
                .setAckedSequence(request.getAckedSequence())
                .setStateMachine(request.getStateMachine())
                .setPayload(request.getPayload())
                .setTimestampMillis(nowMillis)
                .build());
        return CommandResponse.newBuilder()
                .setCode(applied.code())
                .setResult(ByteString.copyFrom(applied.result()))
                .setMessage(applied.message())
                .setIndex(at)
                .build();
    }

    private synchronized AppliedCommand apply(LogCommand command) {
        index++;
        List<Event> events = new ArrayList<>();
        AppliedCommand applied = registry.apply(
                index,
                command.toByteArray(),
                (machine, at, payload) -> events.add(Event.newBuilder()
                        .setStateMachine(machine)
                        .setIndex(at)
                        .setPayload(ByteString.copyFrom(payload))
                        .build()));
        for (Event event : losingEvents ? List.<Event>of() : events) {
            for (ServerCallStreamObserver<Event> stream : streams) {
                if (!stream.isCancelled()) {
                    stream.onNext(event);
                }
            }
        }
        return applied;
    }

    private synchronized ReadResponse read(ReadRequest request) {
        if (!registry.has(request.getStateMachine())) {
            return ReadResponse.newBuilder()
                    .setCode(ResultCode.RESULT_CODE_INVALID)
                    .setMessage("unknown state machine")
                    .build();
        }
        byte[] result =
                registry.get(request.getStateMachine()).query(request.getQuery().toByteArray());
        return ReadResponse.newBuilder()
                .setCode(ResultCode.RESULT_CODE_OK)
                .setResult(ByteString.copyFrom(result))
                .setIndex(index)
                .build();
    }

    private final class Service extends ConsensusGrpc.ConsensusImplBase {

        @Override
        public void submit(CommandRequest request, StreamObserver<CommandResponse> observer) {
            if (refuse(observer)) {
                return;
            }
            observer.onNext(
                    electing
                            ? CommandResponse.newBuilder()
                                    .setCode(ResultCode.RESULT_CODE_UNAVAILABLE)
                                    .setMessage("no leader")
                                    .build()
                            : InProcessConsensusNode.this.submit(request));
            observer.onCompleted();
        }

        @Override
        public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
            if (refuse(observer)) {
                return;
            }
            observer.onNext(
                    electing
                            ? ReadResponse.newBuilder()
                                    .setCode(ResultCode.RESULT_CODE_UNAVAILABLE)
                                    .setMessage("no leader")
                                    .build()
                            : InProcessConsensusNode.this.read(request));
            observer.onCompleted();
        }

        @Override
        public void events(EventsRequest request, StreamObserver<Event> observer) {
            if (refuse(observer)) {
                return;
            }
            var stream = (ServerCallStreamObserver<Event>) observer;
            stream.setOnCancelHandler(() -> streams.remove(stream));
            streams.add(stream);
        }

        @Override
        public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
            if (refuse(observer)) {
                return;
            }
            observer.onNext(StatusResponse.newBuilder()
                    .setNodeId("test-node")
                    .setRole("LEADER")
                    .setTerm(1)
                    .setLeader(LeaderHint.newBuilder().setNodeId("test-node").setAddress(ADDRESS))
                    .build());
            observer.onCompleted();
        }

        private boolean refuse(StreamObserver<?> observer) {
            if (serving) {
                return false;
            }
            observer.onError(
                    Status.UNAVAILABLE.withDescription("node stopped by test").asRuntimeException());
            return true;
        }
    }

    /** Sends headers as soon as a call arrives, so an event stream counts as up before its first event. */
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
