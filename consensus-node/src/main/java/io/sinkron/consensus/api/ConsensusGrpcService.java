package io.sinkron.consensus.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sinkron.consensus.failure.FailureDetectorRegistry;
import io.sinkron.consensus.failure.PeerStatus;
import io.sinkron.consensus.node.EventBus;
import io.sinkron.consensus.node.NodeStatus;
import io.sinkron.consensus.node.RaftDriver;
import io.sinkron.consensus.raft.Role;
import io.sinkron.proto.AdminCode;
import io.sinkron.proto.AdminResponse;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.Event;
import io.sinkron.proto.EventsRequest;
import io.sinkron.proto.LeaderHint;
import io.sinkron.proto.LeaderTransferRequest;
import io.sinkron.proto.MemberStatus;
import io.sinkron.proto.MembershipChangeRequest;
import io.sinkron.proto.MultiplexedRequest;
import io.sinkron.proto.MultiplexedResponse;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ReadResponse;
import io.sinkron.proto.ResultCode;
import io.sinkron.proto.StatusRequest;
import io.sinkron.proto.StatusResponse;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The client API of a consensus node. A request that reaches a follower is forwarded to the
 * leader; if forwarding fails, the client gets NOT_LEADER with a leader hint, or UNAVAILABLE when
 * no leader is known, and retries.
 */
public final class ConsensusGrpcService extends ConsensusGrpc.ConsensusImplBase {

    private static final long DEFAULT_TIMEOUT_MS = 5_000;

    private final RaftDriver driver;
    private final LeaderForwarder forwarder;
    private final AdminService admin;
    private final EventBus events;
    private final FailureDetectorRegistry failureDetector;

    public ConsensusGrpcService(
            RaftDriver driver,
            LeaderForwarder forwarder,
            AdminService admin,
            EventBus events,
            FailureDetectorRegistry failureDetector) {
        this.driver = driver;
        this.forwarder = forwarder;
        this.admin = admin;
        this.events = events;
        this.failureDetector = failureDetector;
    }

    private boolean unknownGroup(String groupId) {
        return !groupId.isEmpty() && !groupId.equals(driver.groupId());
    }

    @Override
    public void submit(CommandRequest request, StreamObserver<CommandResponse> out) {
        submit(request, response -> reply(out, response));
    }

    @Override
    public void read(ReadRequest request, StreamObserver<ReadResponse> out) {
        read(request, response -> reply(out, response));
    }

    /**
     * Serves Submits and Reads arriving on one stream as the unary methods serve them, answering
     * each with its call id as soon as its answer is ready, in whatever order that is. Answers come
     * from the driver thread, forwarding threads and the event loop, so they are written under the
     * stream's lock; once the client has gone, they are dropped.
     */
    @Override
    public StreamObserver<MultiplexedRequest> multiplex(StreamObserver<MultiplexedResponse> out) {
        var call = (ServerCallStreamObserver<MultiplexedResponse>) out;
        call.setOnCancelHandler(() -> {});
        return new StreamObserver<>() {
            private int unanswered;
            private boolean halfClosed;

            @Override
            public void onNext(MultiplexedRequest request) {
                long callId = request.getCallId();
                synchronized (call) {
                    unanswered++;
                }
                switch (request.getRequestCase()) {
                    case SUBMIT ->
                        submit(
                                request.getSubmit(),
                                response -> answer(MultiplexedResponse.newBuilder()
                                        .setCallId(callId)
                                        .setSubmit(response)
                                        .build()));
                    case READ ->
                        read(
                                request.getRead(),
                                response -> answer(MultiplexedResponse.newBuilder()
                                        .setCallId(callId)
                                        .setRead(response)
                                        .build()));
                    default ->
                        answer(MultiplexedResponse.newBuilder()
                                .setCallId(callId)
                                .setSubmit(CommandResponse.newBuilder()
                                        .setCode(ResultCode.RESULT_CODE_INVALID)
                                        .setMessage("call " + callId + " carries neither a submit nor a read"))
                                .build());
                }
            }

            private void answer(MultiplexedResponse response) {
                synchronized (call) {
                    unanswered--;
                    if (call.isCancelled()) {
                        return;
                    }
                    call.onNext(response);
                    if (halfClosed && unanswered == 0) {
                        call.onCompleted();
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                // The client went away; answers still to come are dropped by answer().
            }

            @Override
            public void onCompleted() {
                synchronized (call) {
                    halfClosed = true;
                    if (unanswered == 0 && !call.isCancelled()) {
                        call.onCompleted();
                    }
                }
            }
        };
    }

    private void submit(CommandRequest request, Consumer<CommandResponse> reply) {
        serve(
                request.getGroupId(),
                request.getTimeoutMs(),
                request.getForwarded(),
                () -> driver.submit(request),
                (address, timeout) -> forwarder.submit(address, request, timeout),
                CommandResponse::getCode,
                CommandResponse::getLeaderHint,
                (r, leader) -> r.toBuilder().setLeaderHint(leader).build(),
                (code, message) -> CommandResponse.newBuilder()
                        .setCode(code)
                        .setMessage(message)
                        .build(),
                reply);
    }

    private void read(ReadRequest request, Consumer<ReadResponse> reply) {
        serve(
                request.getGroupId(),
                request.getTimeoutMs(),
                request.getForwarded(),
                () -> driver.read(request),
                (address, timeout) -> forwarder.read(address, request, timeout),
                ReadResponse::getCode,
                ReadResponse::getLeaderHint,
                (r, leader) -> r.toBuilder().setLeaderHint(leader).build(),
                (code, message) -> ReadResponse.newBuilder()
                        .setCode(code)
                        .setMessage(message)
                        .build(),
                reply);
    }

    /**
     * Answers from the local driver, or, when it says NOT_LEADER with a hint, from the leader. A
     * forwarded answer carries the hint, so the client talks to the leader directly next time. If
     * forwarding fails the client gets the local answer (with its hint) and retries itself.
     */
    private <R> void serve(
            String groupId,
            long timeoutMs,
            boolean forwarded,
            Supplier<CompletableFuture<R>> local,
            BiFunction<String, Long, CompletableFuture<R>> forward,
            Function<R, ResultCode> code,
            Function<R, LeaderHint> hint,
            BiFunction<R, LeaderHint, R> withHint,
            BiFunction<ResultCode, String, R> failure,
            Consumer<R> reply) {
        if (unknownGroup(groupId)) {
            reply.accept(failure.apply(ResultCode.RESULT_CODE_INVALID, "unknown group '" + groupId + "'"));
            return;
        }
        long timeout = timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS;
        // One stage on the common path (the leader answering itself); forwarding adds its own.
        local.get().whenComplete((r, t) -> {
            if (r == null) {
                reply.accept(failure.apply(ResultCode.RESULT_CODE_UNAVAILABLE, String.valueOf(t)));
            } else if (!shouldForward(code.apply(r), hint.apply(r), forwarded)) {
                reply.accept(r);
            } else {
                forward.apply(hint.apply(r).getAddress(), timeout).whenComplete((answer, error) -> {
                    if (answer == null) {
                        reply.accept(r);
                    } else {
                        reply.accept(
                                hint.apply(answer).getAddress().isEmpty()
                                        ? withHint.apply(answer, hint.apply(r))
                                        : answer);
                    }
                });
            }
        });
    }

    private boolean shouldForward(ResultCode code, LeaderHint hint, boolean alreadyForwarded) {
        return code == ResultCode.RESULT_CODE_NOT_LEADER
                && !alreadyForwarded
                && !hint.getAddress().isEmpty()
                && !hint.getNodeId().equals(driver.status().nodeId());
    }

    @Override
    public void events(EventsRequest request, StreamObserver<Event> out) {
        var call = (ServerCallStreamObserver<Event>) out;
        var subscription = events.subscribe(new HashSet<>(request.getStateMachinesList()), event -> {
            synchronized (call) {
                if (!call.isCancelled()) {
                    call.onNext(event);
                }
            }
        });
        call.setOnCancelHandler(() -> events.unsubscribe(subscription));
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
        NodeStatus s = driver.status();
        var b = StatusResponse.newBuilder()
                .setNodeId(s.nodeId())
                .setRole(publicRole(s.role()))
                .setTerm(s.term())
                .setCommitIndex(s.commitIndex())
                .setLastApplied(s.appliedIndex())
                .setSnapshotIndex(s.snapshotIndex());
        if (s.leaderId() != null && s.leaderAddress() != null) {
            b.setLeader(LeaderHint.newBuilder().setNodeId(s.leaderId()).setAddress(s.leaderAddress()));
        }
        for (String member : s.membership().members()) {
            var m = MemberStatus.newBuilder()
                    .setNodeId(member)
                    .setAddress(s.membership().address(member))
                    .setVoter(s.membership().isVoter(member));
            if (member.equals(s.nodeId())) {
                m.setFailureState("ALIVE").setPhi(0);
            } else {
                failureDetector
                        .status(member)
                        .ifPresent((PeerStatus p) ->
                                m.setFailureState(p.state().name()).setPhi(p.phi()));
            }
            b.addMembers(m);
        }
        reply(out, b.build());
    }

    @Override
    public void changeMembership(MembershipChangeRequest request, StreamObserver<AdminResponse> out) {
        admin.changeMembership(request).whenComplete((r, t) -> reply(out, r != null ? r : adminFailure(t)));
    }

    @Override
    public void transferLeadership(LeaderTransferRequest request, StreamObserver<AdminResponse> out) {
        admin.transferLeadership(request).whenComplete((r, t) -> reply(out, r != null ? r : adminFailure(t)));
    }

    private static AdminResponse adminFailure(Throwable t) {
        return AdminResponse.newBuilder()
                .setCode(AdminCode.ADMIN_CODE_UNAVAILABLE)
                .setMessage(String.valueOf(t))
                .build();
    }

    /** Roles as users see them: a pre-candidate is campaigning, so it shows as CANDIDATE. */
    public static String publicRole(Role role) {
        return role == Role.PRE_CANDIDATE ? "CANDIDATE" : role.name();
    }

    private static <T> void reply(StreamObserver<T> out, T value) {
        out.onNext(value);
        out.onCompleted();
    }
}
