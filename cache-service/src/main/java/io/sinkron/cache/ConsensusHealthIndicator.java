package io.sinkron.cache;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness with respect to the consensus cluster: up while the instance holds a valid lease, which
 * the cluster renewed within the last lease period, so the cluster was reachable then and this
 * instance's near cache is coherent with it.
 */
@Component("consensus")
public class ConsensusHealthIndicator implements HealthIndicator {

    private final CoherentCache cache;

    public ConsensusHealthIndicator(CoherentCache cache) {
        this.cache = cache;
    }

    @Override
    public Health health() {
        var health = cache.leaseValid() ? Health.up() : Health.outOfService();
        return health.withDetail("instance_id", cache.instanceId())
                .withDetail("session", cache.session())
                .withDetail("lease_valid", cache.leaseValid())
                .withDetail("events_connected", cache.eventsConnected())
                .build();
    }
}
