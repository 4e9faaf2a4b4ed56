package io.sinkron.consensus.statemachine.queue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Places keys (queue partitions) on Raft groups by consistent hashing with virtual nodes.
 *
 * <p>Each group owns {@code virtualNodes} points on a 64-bit ring; a key belongs to the group of the
 * first point at or after the key's hash, wrapping around. Many points per group even out the
 * share each group gets, and adding a group only moves the keys that now fall just before one of
 * its points: about {@code 1/(n+1)} of them, all to the new group. Positions come from {@link
 * StableHash#hash64}, so every node and client computes the same placement.
 *
 * <p>Immutable; {@link #withGroup} and {@link #withoutGroup} return new rings.
 */
public final class ConsistentHashRing {

    /** Enough points per group to keep every group's share within a few percent of even. */
    public static final int DEFAULT_VIRTUAL_NODES = 256;

    private record Point(long position, String group) {}

    private final Set<String> groups;
    private final int virtualNodes;
    private final long[] positions;
    private final String[] owners;

    public ConsistentHashRing(Collection<String> groups, int virtualNodes) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one group");
        }
        if (virtualNodes < 1) {
            throw new IllegalArgumentException("virtualNodes must be >= 1, got " + virtualNodes);
        }
        this.groups = Set.copyOf(new TreeSet<>(groups));
        this.virtualNodes = virtualNodes;
        List<Point> points = new ArrayList<>(groups.size() * virtualNodes);
        for (String group : new TreeSet<>(groups)) {
            for (int i = 0; i < virtualNodes; i++) {
                points.add(new Point(StableHash.hash64(group + "#" + i), group));
            }
        }
        // Ties between groups (astronomically rare) are broken by name so the ring is the same everywhere.
        points.sort(Comparator.comparingLong(Point::position).thenComparing(Point::group));
        this.positions = points.stream().mapToLong(Point::position).toArray();
        this.owners = points.stream().map(Point::group).toArray(String[]::new);
    }

    /** A ring with the single group every node hosts today. */
    public static ConsistentHashRing single(String group) {
        return new ConsistentHashRing(List.of(group), DEFAULT_VIRTUAL_NODES);
    }

    /** The group that owns {@code key}. */
    public String groupFor(String key) {
        long h = StableHash.hash64(key);
        int i = Arrays.binarySearch(positions, h);
        if (i < 0) {
            i = -i - 1;
        }
        return owners[i == positions.length ? 0 : i];
    }

    /** The group that owns partition {@code partition} of {@code queue}. */
    public String groupFor(String queue, int partition) {
        return groupFor(queue + "/" + partition);
    }

    public ConsistentHashRing withGroup(String group) {
        var next = new TreeSet<>(groups);
        next.add(group);
        return new ConsistentHashRing(next, virtualNodes);
    }

    public ConsistentHashRing withoutGroup(String group) {
        var next = new TreeSet<>(groups);
        next.remove(group);
        return new ConsistentHashRing(next, virtualNodes);
    }

    public Set<String> groups() {
        return groups;
    }
}
