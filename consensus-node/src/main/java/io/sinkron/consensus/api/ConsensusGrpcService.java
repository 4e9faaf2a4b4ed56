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
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ReadResponse;
import io.sinkron.proto.ResultCode;
import io.sinkron.proto.StatusRequest;
import io.sinkron.proto.StatusResponse;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;

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
                out);
    }

    @Override
    public void read(ReadRequest request, StreamObserver<ReadResponse> out) {
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
                out);
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
            java.util.function.Supplier<CompletableFuture<R>> local,
            java.util.function.BiFunction<String, Long, CompletableFuture<R>> forward,
            java.util.function.Function<R, ResultCode> code,
            java.util.function.Function<R, LeaderHint> hint,
            java.util.function.BiFunction<R, LeaderHint, R> withHint,
            java.util.function.BiFunction<ResultCode, String, R> failure,
            StreamObserver<R> out) {
        if (unknownGroup(groupId)) {
            reply(out, failure.apply(ResultCode.RESULT_CODE_INVALID, "unknown group '" + groupId + "'"));
            return;
        }
        long timeout = timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS;
        local.get()
                .thenCompose(r -> shouldForward(code.apply(r), hint.apply(r), forwarded)
                        ? forward.apply(hint.apply(r).getAddress(), timeout)
                                .thenApply(answer ->
                                        hint.apply(answer).getAddress().isEmpty()
                                                ? withHint.apply(answer, hint.apply(r))
                                                : answer)
                                .exceptionally(t -> r)
                        : CompletableFuture.completedFuture(r))
                .whenComplete((r, t) -> reply(
                        out, r != null ? r : failure.apply(ResultCode.RESULT_CODE_UNAVAILABLE, String.valueOf(t))));
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
