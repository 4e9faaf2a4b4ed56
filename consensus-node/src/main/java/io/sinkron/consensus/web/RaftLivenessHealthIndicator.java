package io.sinkron.consensus.web;

import io.sinkron.consensus.node.ConsensusNode;
import io.sinkron.consensus.node.RaftDriver;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Liveness of a consensus node: DOWN once its Raft group has stopped on its own (a storage failure
 * stops it so the node never answers as if it had written its log). Such a node cannot recover in
 * its process, so the liveness probe fails and Kubernetes restarts it; on restart the storage
 * recovers from what is durable. Readiness ({@link RaftHealthIndicator}) is separate: a node that
 * merely lost its leader is alive and must not be restarted.
 */
@Component("raftGroup")
public class RaftLivenessHealthIndicator implements HealthIndicator {

    private final Supplier<RaftDriver> driver;

    @Autowired
    public RaftLivenessHealthIndicator(ConsensusNode node) {
        this(node::driver);
    }

    RaftLivenessHealthIndicator(Supplier<RaftDriver> driver) {
        this.driver = driver;
    }

    @Override
    public Health health() {
        RaftDriver d = driver.get();
        return d.stoppedBy()
                .map(reason -> Health.down().withDetail("stopped_by", reason))
                .orElseGet(Health::up)
                .withDetail("group_id", d.groupId())
                .build();
    }
}
