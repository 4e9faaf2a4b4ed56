package io.sinkron.consensus.api;

import io.sinkron.consensus.node.RaftDriver;
import io.sinkron.consensus.raft.ConfChange;
import io.sinkron.proto.AdminCode;
import io.sinkron.proto.AdminResponse;
import io.sinkron.proto.LeaderTransferRequest;
import io.sinkron.proto.MembershipChangeRequest;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Membership changes and leader transfer, for the gRPC API and the admin HTTP endpoints alike:
 * validated here, decided by the leader's core, forwarded to the leader from any node.
 */
public final class AdminService {

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}");
    private static final long DEFAULT_TIMEOUT_MS = 10_000;

    private final RaftDriver driver;
    private final LeaderForwarder forwarder;

    public AdminService(RaftDriver driver, LeaderForwarder forwarder) {
        this.driver = driver;
        this.forwarder = forwarder;
    }

    public CompletableFuture<AdminResponse> changeMembership(MembershipChangeRequest request) {
        long timeout = request.getTimeoutMs() > 0 ? request.getTimeoutMs() : DEFAULT_TIMEOUT_MS;
        ConfChange change;
        switch (request.getChangeCase()) {
            case ADD -> {
                var add = request.getAdd();
                if (!NODE_ID.matcher(add.getNodeId()).matches()) {
                    return invalid("node_id must be 1-63 letters, digits, '.', '_' or '-'");
                }
                if (!ADDRESS.matcher(add.getAddress()).matches() || !validPort(add.getAddress())) {
                    return invalid("address must be host:port with a port in 1-65535");
                }
                change = new ConfChange.AddLearner(add.getNodeId(), add.getAddress(), add.getVoter());
            }
            case REMOVE_NODE_ID -> {
                if (request.getRemoveNodeId().isBlank()) {
                    return invalid("node_id is required");
                }
                change = new ConfChange.Remove(request.getRemoveNodeId());
            }
            default -> {
                return invalid("either add or remove_node_id is required");
            }
        }
        return driver.changeMembership(change, timeout)
                .thenCompose(r -> shouldForward(r, request.getForwarded())
                        ? forwarder
                                .changeMembership(r.getLeaderHint().getAddress(), request, timeout)
                                .exceptionally(t -> r)
                        : CompletableFuture.completedFuture(r));
    }

    public CompletableFuture<AdminResponse> transferLeadership(LeaderTransferRequest request) {
        long timeout = request.getTimeoutMs() > 0 ? request.getTimeoutMs() : DEFAULT_TIMEOUT_MS;
        String target = request.getNodeId().isBlank() ? null : request.getNodeId();
        return driver.transferLeadership(target, timeout)
                .thenCompose(r -> shouldForward(r, request.getForwarded())
                        ? forwarder
                                .transferLeadership(r.getLeaderHint().getAddress(), request, timeout)
                                .exceptionally(t -> r)
                        : CompletableFuture.completedFuture(r));
    }

    private boolean shouldForward(AdminResponse r, boolean alreadyForwarded) {
        return r.getCode() == AdminCode.ADMIN_CODE_NOT_LEADER
                && !alreadyForwarded
                && !r.getLeaderHint().getAddress().isEmpty()
                && !r.getLeaderHint().getNodeId().equals(driver.status().nodeId());
    }

    private static boolean validPort(String address) {
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        return port >= 1 && port <= 65535;
    }

    private static CompletableFuture<AdminResponse> invalid(String message) {
        return CompletableFuture.completedFuture(AdminResponse.newBuilder()
                .setCode(AdminCode.ADMIN_CODE_INVALID)
                .setMessage(message)
                .build());
    }
}
