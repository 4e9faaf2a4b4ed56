package io.sinkron.cache;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sinkron.cache.home.CacheHome;
import io.sinkron.cache.near.NearCache;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.client.NodeAddress;
import java.time.Duration;
import java.util.List;

/**
 * A cache-service instance without the web layer: a {@link CoherentCache} with its own
 * {@link ConsensusClient}, talking to its own {@link FakeNode} so faults can hit it alone.
 */
final class CacheInstance implements AutoCloseable {

    final String id;
    final FakeNode node;
    final NearCache near;
    final CacheHome home;
    final CoherentCache cache;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ConsensusClient client;

    private CacheInstance(String id, FakeNode node, CacheProperties properties, MonotonicClock clock) {
        this.id = id;
        this.node = node;
        var config = ConsensusClientConfig.of(List.of(NodeAddress.parse(node.address)))
                .withBackoff(Duration.ofMillis(5), Duration.ofMillis(50));
        this.client = new ConsensusClient(config, FakeConsensusCluster.channels());
        this.near = new NearCache(properties.maxEntries(), properties.maxBytes());
        this.home = new CacheHome(client, properties.requestTimeout(), properties.writeCommandsInFlight());
        this.cache = new CoherentCache(home, near, properties, clock, new CacheMetrics(registry, near));
    }

    /** An instance that keeps its lease by itself, as in production. */
    static CacheInstance started(FakeConsensusCluster cluster, CacheProperties properties, MonotonicClock clock) {
        var instance =
                new CacheInstance(properties.instanceId(), cluster.node(properties.instanceId()), properties, clock);
        instance.cache.start();
        return instance;
    }

    /**
     * An instance whose lease the test keeps by calling {@link CoherentCache#maintainLease}; it has
     * tried to register and follows the events when this returns.
     */
    static CacheInstance manual(FakeConsensusCluster cluster, CacheProperties properties, MonotonicClock clock) {
        return manual(cluster.node(properties.instanceId()), properties, clock);
    }

    /** {@link #manual(FakeConsensusCluster, CacheProperties, MonotonicClock)} through a given node. */
    static CacheInstance manual(FakeNode node, CacheProperties properties, MonotonicClock clock) {
        var instance = new CacheInstance(properties.instanceId(), node, properties, clock);
        instance.cache.followEvents();
        instance.cache.maintainLease();
        return instance;
    }

    static CacheProperties properties(String id, Duration lease, Duration margin, Duration keepAlive) {
        return properties(id, lease, margin, keepAlive, Duration.ofSeconds(1));
    }

    static CacheProperties properties(
            String id, Duration lease, Duration margin, Duration keepAlive, Duration requestTimeout) {
        return new CacheProperties(
                id + ":7001",
                id,
                1_000,
                1 << 20,
                64 * 1024,
                256,
                lease,
                margin,
                keepAlive,
                requestTimeout,
                lease.multipliedBy(3),
                4);
    }

    @Override
    public void close() {
        cache.close();
        client.close();
        node.close();
    }
}
