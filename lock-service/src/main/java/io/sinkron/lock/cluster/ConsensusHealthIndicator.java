package io.sinkron.lock.cluster;

import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusException;
import io.sinkron.proto.StatusResponse;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * "Can this instance serve locks?": some consensus node answers, it knows a leader, and the event
 * stream that wakes waiting requests is up. Part of the readiness group, so a load balancer sends
 * no traffic to an instance cut off from the cluster.
 */
@Component
class ConsensusHealthIndicator implements HealthIndicator {

    private final ConsensusClient client;
    private final WaitingRequests waiting;

    ConsensusHealthIndicator(ConsensusClient client, WaitingRequests waiting) {
        this.client = client;
        this.waiting = waiting;
    }

    @Override
    public Health health() {
        StatusResponse status;
        try {
            status = client.status();
        } catch (ConsensusException e) {
            return Health.down().withDetail("error", e.getMessage()).build();
        }
        boolean leaderKnown =
                status.hasLeader() && !status.getLeader().getAddress().isBlank();
        boolean events = waiting.connected();
        Health.Builder health = leaderKnown && events ? Health.up() : Health.down();
        return health.withDetail("node", status.getNodeId())
                .withDetail("leader", leaderKnown ? status.getLeader().getAddress() : "unknown")
                .withDetail("term", status.getTerm())
                .withDetail("events_connected", events)
                .withDetail("waiting_requests", waiting.size())
                .build();
    }
}
