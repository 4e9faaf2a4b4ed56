package io.sinkron.consensus.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.consensus.api.ConsensusGrpcService;
import io.sinkron.consensus.failure.PeerStatus;
import io.sinkron.consensus.node.ConsensusNode;
import io.sinkron.consensus.node.NodeStatus;
import io.sinkron.consensus.node.RaftDriver;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The node's status and health, in the JSON shape of Sinkron's original design. */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
public class StatusController {

    public record FailureDetectorView(String state, double phi) {}

    public record MemberView(
            @JsonProperty("node_id") String nodeId,
            String address,
            boolean voter,
            @JsonProperty("match_index") Long matchIndex,
            @JsonProperty("failure_detector") FailureDetectorView failureDetector) {}

    public record StatusView(
            @JsonProperty("node_id") String nodeId,
            String role,
            long term,
            @JsonProperty("leader_id") String leaderId,
            @JsonProperty("is_leader") boolean isLeader,
            @JsonProperty("commit_index") long commitIndex,
            @JsonProperty("last_applied") long lastApplied,
            @JsonProperty("last_log_index") long lastLogIndex,
            @JsonProperty("snapshot_index") long snapshotIndex,
            List<MemberView> members,
            List<String> learners,
            ConfigurationView configuration) {}

    public record ConfigurationView(@JsonProperty("index") long index, List<String> voters, List<String> learners) {}

    public record HealthView(
            String status,
            @JsonProperty("is_leader") boolean isLeader,
            long term,
            @JsonProperty("leader_id") String leaderId) {}

    private final ConsensusNode node;

    public StatusController(ConsensusNode node) {
        this.node = node;
    }

    @GetMapping("/status")
    public StatusView status() {
        NodeStatus s = node.driver().status();
        var members = new ArrayList<MemberView>();
        for (String id : s.membership().members()) {
            FailureDetectorView fd = id.equals(s.nodeId())
                    ? new FailureDetectorView("ALIVE", 0)
                    : node.failureDetector()
                            .status(id)
                            .map((PeerStatus p) ->
                                    new FailureDetectorView(p.state().name(), round(p.phi())))
                            .orElse(null);
            members.add(new MemberView(
                    id,
                    s.membership().address(id),
                    s.membership().isVoter(id),
                    s.matchIndexes().get(id),
                    fd));
        }
        return new StatusView(
                s.nodeId(),
                ConsensusGrpcService.publicRole(s.role()),
                s.term(),
                s.leaderId(),
                s.isLeader(),
                s.commitIndex(),
                s.appliedIndex(),
                s.lastLogIndex(),
                s.snapshotIndex(),
                members,
                List.copyOf(s.membership().learners().keySet()),
                new ConfigurationView(
                        s.configurationIndex(),
                        List.copyOf(s.membership().voters().keySet()),
                        List.copyOf(s.membership().learners().keySet())));
    }

    @GetMapping("/health")
    public ResponseEntity<HealthView> health() {
        return health(node.driver());
    }

    /** UP with a leader, NO_LEADER without one, DOWN once the group stopped on a storage failure. */
    static ResponseEntity<HealthView> health(RaftDriver driver) {
        NodeStatus s = driver.status();
        boolean hasLeader = s.leaderId() != null;
        String state = driver.stoppedBy().isPresent() ? "DOWN" : hasLeader ? "UP" : "NO_LEADER";
        var view = new HealthView(state, s.isLeader(), s.term(), s.leaderId());
        return ResponseEntity.status(state.equals("UP") ? 200 : 503).body(view);
    }

    private static double round(double phi) {
        return Double.isFinite(phi) ? Math.round(phi * 100) / 100.0 : phi;
    }
}
