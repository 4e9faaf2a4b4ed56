package io.sinkron.client;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The nodes a client knows, one channel each, and which of them to try next.
 *
 * <p>{@link #choose()} picks, in this order: the preferred node (the leader as last learned from a
 * leader hint or status) if it is not down; otherwise the next node, round-robin from a cursor, that
 * is not down; and if every node is down, the one that comes back soonest, so that calls never stall
 * entirely. A failure or a "not leader" answer from a node drops it as preferred node and moves the
 * cursor past it, so the next attempt goes to another node.
 *
 * <p>Nodes named by leader hints join the directory with a channel of their own and stay until
 * {@link #close()}. Thread-safe.
 */
final class NodeDirectory implements AutoCloseable {

    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(1);

    private final ChannelFactory channels;
    private final int failureThreshold;
    private final Duration downPeriod;
    private final ScheduledExecutorService scheduler;
    private final Map<NodeAddress, Node> byAddress = new LinkedHashMap<>();
    private volatile List<Node> nodes = List.of();
    private final AtomicReference<Node> preferred = new AtomicReference<>();
    private final AtomicInteger cursor = new AtomicInteger();
    private boolean closed;

    /**
     * @param scheduler times the attempt deadlines of the nodes' multiplexed streams
     */
    NodeDirectory(
            List<NodeAddress> addresses,
            ChannelFactory channels,
            int failureThreshold,
            Duration downPeriod,
            ScheduledExecutorService scheduler) {
        this.channels = channels;
        this.failureThreshold = failureThreshold;
        this.downPeriod = downPeriod;
        this.scheduler = scheduler;
        addresses.forEach(this::nodeFor);
    }

    /** The node to try next; see the class comment. */
    Node choose() {
        long now = System.nanoTime();
        Node leader = preferred.get();
        if (leader != null && leader.health().isAvailable(now)) {
            return leader;
        }
        List<Node> snapshot = nodes;
        int start = Math.floorMod(cursor.get(), snapshot.size());
        for (int i = 0; i < snapshot.size(); i++) {
            Node node = snapshot.get((start + i) % snapshot.size());
            if (node.health().isAvailable(now)) {
                return node;
            }
        }
        return snapshot.stream()
                .min(Comparator.comparingLong(node -> node.health().nanosUntilAvailable(now)))
                .orElseThrow();
    }

    /** Every node, the ones not down first (preferred node leading), then the down ones. */
    List<Node> ordered() {
        long now = System.nanoTime();
        List<Node> result = new ArrayList<>();
        Node leader = preferred.get();
        if (leader != null && leader.health().isAvailable(now)) {
            result.add(leader);
        }
        List<Node> snapshot = nodes;
        int start = Math.floorMod(cursor.get(), snapshot.size());
        List<Node> down = new ArrayList<>();
        for (int i = 0; i < snapshot.size(); i++) {
            Node node = snapshot.get((start + i) % snapshot.size());
            if (node == leader && result.contains(node)) {
                continue;
            }
            (node.health().isAvailable(now) ? result : down).add(node);
        }
        down.sort(Comparator.comparingLong(node -> node.health().nanosUntilAvailable(now)));
        result.addAll(down);
        return result;
    }

    /** The node currently preferred (believed to be the leader), or {@code null}. */
    Node preferred() {
        return preferred.get();
    }

    /**
     * Makes the node at {@code address} the preferred node, opening a channel to it if it is new.
     *
     * @return the node, or {@code null} if the directory is closed
     */
    Node prefer(NodeAddress address) {
        Node node = nodeFor(address);
        if (node != null) {
            preferred.set(node);
        }
        return node;
    }

    void recordSuccess(Node node) {
        node.health().recordSuccess();
    }

    /** The node failed to answer: counts against its health and moves on to another node. */
    void recordFailure(Node node) {
        node.health().recordFailure(System.nanoTime());
        moveAwayFrom(node);
    }

    /** A node the cluster's failure detector reports FAILED is avoided until it answers again. */
    void reportedFailed(NodeAddress address) {
        Node node = byAddress.get(address);
        if (node != null) {
            node.health().reportedFailed(System.nanoTime());
            moveAwayFrom(node);
        }
    }

    /** The node answered but cannot serve the request (not leader, no leader known). */
    void moveAwayFrom(Node node) {
        preferred.compareAndSet(node, null);
        int index = nodes.indexOf(node);
        if (index >= 0) {
            cursor.set(index + 1);
        }
    }

    List<Node> nodes() {
        return nodes;
    }

    private synchronized Node nodeFor(NodeAddress address) {
        if (closed) {
            return null;
        }
        Node existing = byAddress.get(address);
        if (existing != null) {
            return existing;
        }
        Node node = new Node(address, channels.open(address), new NodeHealth(failureThreshold, downPeriod), scheduler);
        byAddress.put(address, node);
        nodes = List.copyOf(byAddress.values());
        return node;
    }

    /**
     * Ends the multiplexed streams and shuts every channel down, waiting up to one second for other
     * calls to finish before forcing it.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        nodes.forEach(node -> node.calls().close());
        nodes.forEach(node -> node.channel().shutdown());
        long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
        for (Node node : nodes) {
            ManagedChannel channel = node.channel();
            try {
                if (!channel.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                channel.shutdownNow();
            }
        }
    }
}
