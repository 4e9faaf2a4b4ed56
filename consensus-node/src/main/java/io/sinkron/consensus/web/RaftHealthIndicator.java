package io.sinkron.consensus.web;

import io.sinkron.consensus.api.ConsensusGrpcService;
import io.sinkron.consensus.node.ConsensusNode;
import io.sinkron.consensus.node.NodeStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of a consensus node: it knows a leader and has applied everything it knew was
 * committed when it started (so it does not serve reads from a state older than before a
 * restart).
 */
@Component("raft")
public class RaftHealthIndicator implements HealthIndicator {

    private final ConsensusNode node;

    public RaftHealthIndicator(ConsensusNode node) {
        this.node = node;
    }

    @Override
    public Health health() {
        NodeStatus s = node.driver().status();
        var builder = s.caughtUp() ? Health.up() : Health.outOfService();
        return builder.withDetail("role", ConsensusGrpcService.publicRole(s.role()))
                .withDetail("term", s.term())
                .withDetail("leader_id", s.leaderId() == null ? "" : s.leaderId())
                .withDetail("commit_index", s.commitIndex())
                .withDetail("last_applied", s.appliedIndex())
                .build();
    }
}
