package io.sinkron.consensus.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.consensus.node.ConsensusNode;
import io.sinkron.consensus.node.SnapshotFile;
import io.sinkron.proto.AddMember;
import io.sinkron.proto.AdminCode;
import io.sinkron.proto.AdminResponse;
import io.sinkron.proto.LeaderTransferRequest;
import io.sinkron.proto.MembershipChangeRequest;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Cluster administration over HTTP on every node: membership changes and leader transfer are
 * forwarded to the leader; a snapshot is taken by the node that receives the request.
 */
@RestController
@RequestMapping(path = "/cluster", produces = MediaType.APPLICATION_JSON_VALUE)
public class ClusterController {

    static final String PROBLEM_BASE = "https://sinkron.io/problems/";

    public record AddMemberRequest(@JsonProperty("node_id") String nodeId, String address, Boolean voter) {}

    public record TransferRequest(@JsonProperty("node_id") String nodeId) {}

    public record ChangeView(
            String status,
            @JsonProperty("configuration_index") long index,
            String message) {}

    public record TransferView(@JsonProperty("leader_id") String leaderId, String message) {}

    public record SnapshotView(
            @JsonProperty("snapshot_index") long index,
            @JsonProperty("snapshot_term") long term,
            @JsonProperty("size_bytes") long sizeBytes) {}

    private final ConsensusNode node;

    public ClusterController(ConsensusNode node) {
        this.node = node;
    }

    @PostMapping("/members")
    public ResponseEntity<?> addMember(@RequestBody(required = false) AddMemberRequest body) throws Exception {
        if (body == null || body.nodeId() == null || body.address() == null) {
            return problem(HttpStatus.BAD_REQUEST, "validation", "node_id and address are required");
        }
        var request = MembershipChangeRequest.newBuilder()
                .setAdd(AddMember.newBuilder()
                        .setNodeId(body.nodeId())
                        .setAddress(body.address())
                        .setVoter(body.voter() == null || body.voter()))
                .build();
        return changeResult(await(node.admin().changeMembership(request)));
    }

    @DeleteMapping("/members/{nodeId}")
    public ResponseEntity<?> removeMember(@PathVariable String nodeId) throws Exception {
        var request =
                MembershipChangeRequest.newBuilder().setRemoveNodeId(nodeId).build();
        return changeResult(await(node.admin().changeMembership(request)));
    }

    @PostMapping("/leader/transfer")
    public ResponseEntity<?> transfer(@RequestBody(required = false) TransferRequest body) throws Exception {
        var request = LeaderTransferRequest.newBuilder();
        if (body != null && body.nodeId() != null) {
            request.setNodeId(body.nodeId());
        }
        AdminResponse r = await(node.admin().transferLeadership(request.build()));
        if (r.getCode() != AdminCode.ADMIN_CODE_OK) {
            return failure(r);
        }
        return ResponseEntity.ok(new TransferView(r.getNodeId(), r.getMessage()));
    }

    @PostMapping("/snapshot")
    public ResponseEntity<?> snapshot() throws Exception {
        try {
            SnapshotFile f = node.driver().takeSnapshot().get(5, TimeUnit.MINUTES);
            return ResponseEntity.ok(new SnapshotView(f.meta().index(), f.meta().term(), f.sizeBytes()));
        } catch (ExecutionException e) {
            return problem(
                    HttpStatus.CONFLICT,
                    "snapshot-failed",
                    "no snapshot taken: " + e.getCause().getMessage());
        }
    }

    private static AdminResponse await(java.util.concurrent.CompletableFuture<AdminResponse> f)
            throws InterruptedException, ExecutionException {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return AdminResponse.newBuilder()
                    .setCode(AdminCode.ADMIN_CODE_TIMEOUT)
                    .setMessage("no answer within 30 s")
                    .build();
        }
    }

    private static ResponseEntity<?> changeResult(AdminResponse r) {
        if (r.getCode() != AdminCode.ADMIN_CODE_OK) {
            return failure(r);
        }
        return ResponseEntity.ok(new ChangeView("applied", r.getIndex(), r.getMessage()));
    }

    private static ResponseEntity<ProblemDetail> failure(AdminResponse r) {
        return switch (r.getCode()) {
            case ADMIN_CODE_INVALID -> problem(HttpStatus.BAD_REQUEST, "validation", r.getMessage());
            case ADMIN_CODE_NOT_FOUND -> problem(HttpStatus.NOT_FOUND, "unknown-member", r.getMessage());
            case ADMIN_CODE_IN_PROGRESS -> problem(HttpStatus.CONFLICT, "change-in-progress", r.getMessage());
            case ADMIN_CODE_CONFLICT -> problem(HttpStatus.CONFLICT, "membership-conflict", r.getMessage());
            case ADMIN_CODE_TIMEOUT -> problem(HttpStatus.GATEWAY_TIMEOUT, "timeout", r.getMessage());
            case ADMIN_CODE_NOT_LEADER -> problem(HttpStatus.SERVICE_UNAVAILABLE, "not-leader", r.getMessage());
            default -> problem(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", r.getMessage());
        };
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String kind, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setType(URI.create(PROBLEM_BASE + kind));
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(p);
    }
}
