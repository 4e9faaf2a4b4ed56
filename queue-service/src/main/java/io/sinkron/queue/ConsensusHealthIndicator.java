package io.sinkron.queue;

import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusException;
import io.sinkron.proto.StatusResponse;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Whether the consensus cluster can take commands: some node answers and knows a leader. Part of
 * the readiness group, so an instance that cannot reach the cluster gets no traffic.
 */
@Component("consensus")
class ConsensusHealthIndicator implements HealthIndicator {

    private final ConsensusClient client;

    ConsensusHealthIndicator(ConsensusClient client) {
        this.client = client;
    }

    @Override
    public Health health() {
        StatusResponse status;
        try {
            status = client.status();
        } catch (ConsensusException e) {
            return Health.down()
                    .withDetail("reason", e.reason().name())
                    .withDetail("error", e.getMessage())
                    .build();
        }
        Health.Builder health =
                status.hasLeader() && !status.getLeader().getNodeId().isEmpty()
                        ? Health.up().withDetail("leader", status.getLeader().getNodeId())
                        : Health.down().withDetail("error", "the cluster knows no leader");
        return health.withDetail("node", status.getNodeId())
                .withDetail("term", status.getTerm())
                .build();
    }
}
