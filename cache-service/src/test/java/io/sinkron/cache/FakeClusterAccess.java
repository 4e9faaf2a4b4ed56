package io.sinkron.cache;

import io.sinkron.client.ChannelFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One fake cluster per node name for Spring tests, which build their beans before a test instance
 * exists: the cluster is created with the first channel factory and shared by every context that
 * dials the same node.
 */
public final class FakeClusterAccess {

    private static final Map<String, FakeNode> NODES = new ConcurrentHashMap<>();

    private FakeClusterAccess() {}

    /** Channels to a fake cluster served by node {@code name:7001}, on the real clock. */
    public static ChannelFactory channelsTo(String name) {
        node(name);
        return FakeConsensusCluster.channels();
    }

    /** Cuts the node off from, or reconnects it to, its clients. */
    public static void cutOff(String name, boolean off) {
        node(name).cutOff(off);
    }

    private static FakeNode node(String name) {
        return NODES.computeIfAbsent(name, n -> new FakeConsensusCluster(System::currentTimeMillis).node(n));
    }
}
