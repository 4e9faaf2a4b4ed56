package io.sinkron.client;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Fake nodes plus a client wired to them through in-process channels named by address. */
final class FakeCluster implements AutoCloseable {

    final List<FakeNode> nodes = new ArrayList<>();
    private final List<ConsensusClient> clients = new ArrayList<>();

    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    /** {@code size} nodes with addresses unique to this cluster; they are not started. */
    FakeCluster(int size) {
        int cluster = CLUSTERS.incrementAndGet();
        for (int i = 0; i < size; i++) {
            nodes.add(new FakeNode("c" + cluster + "-n" + i + ":" + (7000 + i)));
        }
    }

    FakeNode node(int index) {
        return nodes.get(index);
    }

    FakeCluster startAll() {
        nodes.forEach(FakeNode::start);
        return this;
    }

    /** {@link #config(List)} with every node configured. */
    ConsensusClientConfig config() {
        return config(nodes);
    }

    /** Fast retries and health periods and a fixed jitter seed, for the given nodes. */
    ConsensusClientConfig config(List<FakeNode> configured) {
        return ConsensusClientConfig.of(
                        configured.stream().map(node -> node.address).toList())
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(20))
                .withAttemptTimeout(Duration.ofSeconds(1))
                .withNodeHealth(1, Duration.ofMillis(200))
                .withRandom(new SplittableRandom(42));
    }

    ConsensusClient client() {
        return client(config());
    }

    ConsensusClient client(ConsensusClientConfig config) {
        ConsensusClient client = new ConsensusClient(config, FakeCluster::inProcessChannel);
        clients.add(client);
        return client;
    }

    static ManagedChannel inProcessChannel(NodeAddress address) {
        return InProcessChannelBuilder.forName(address.toString()).build();
    }

    @Override
    public void close() {
        clients.forEach(ConsensusClient::close);
        nodes.forEach(FakeNode::close);
    }
}
