package io.sinkron.consensus.statemachine.lock;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The wait-for graph between lock owners: an edge {@code a -> b} says a waiting request of
 * {@code a} cannot be granted before {@code b} gives something up, either because {@code b} holds
 * the lock in a conflicting mode or because {@code b} waits ahead of it in the FIFO queue with a
 * conflicting mode. A cycle is a deadlock: nobody on it can ever proceed.
 *
 * <p>The graph is not stored; it is read from the lock table through {@code edgesFrom}, which must
 * list edges in a deterministic order so every replica finds the same cycle.
 */
final class WaitForGraph {

    /** {@code from} waits for {@code to} because of {@code request}. */
    record Edge(String from, String to, Waiter request) {}

    private final Function<String, List<Edge>> edgesFrom;

    WaitForGraph(Function<String, List<Edge>> edgesFrom) {
        this.edgesFrom = edgesFrom;
    }

    /**
     * A cycle through {@code start}, as its edges from {@code start} back to {@code start}, or
     * empty. Only the new wait's edges are new when a request queues, so any cycle it closes runs
     * through its owner, and a walk from there (one visit per reachable owner) finds it.
     */
    Optional<List<Edge>> cycleThrough(String start) {
        return search(List.of(start), start);
    }

    /** Some cycle among the owners reachable from {@code starts}, found in one walk of the graph. */
    Optional<List<Edge>> anyCycle(Collection<String> starts) {
        return search(starts, null);
    }

    /**
     * Depth-first search from each start in turn. With a {@code target}, only an edge back to it
     * closes a cycle; without one, an edge back to any owner on the current path does.
     */
    private Optional<List<Edge>> search(Collection<String> starts, String target) {
        Set<String> exhausted = new HashSet<>();
        for (String start : starts) {
            if (exhausted.contains(start)) {
                continue;
            }
            List<Edge> path = new ArrayList<>();
            Map<String, Integer> depthOnPath = new HashMap<>();
            Deque<Iterator<Edge>> pending = new ArrayDeque<>();
            depthOnPath.put(start, 0);
            pending.push(edgesFrom.apply(start).iterator());
            while (!pending.isEmpty()) {
                Iterator<Edge> edges = pending.peek();
                if (!edges.hasNext()) {
                    pending.pop();
                    String node = path.isEmpty() ? start : path.removeLast().to();
                    depthOnPath.remove(node);
                    exhausted.add(node);
                    continue;
                }
                Edge edge = edges.next();
                Integer depth = depthOnPath.get(edge.to());
                if (depth != null && (target == null || edge.to().equals(target))) {
                    List<Edge> cycle = new ArrayList<>(path.subList(depth, path.size()));
                    cycle.add(edge);
                    return Optional.of(List.copyOf(cycle));
                }
                if (depth != null || exhausted.contains(edge.to())) {
                    continue;
                }
                path.add(edge);
                depthOnPath.put(edge.to(), path.size());
                pending.push(edgesFrom.apply(edge.to()).iterator());
            }
        }
        return Optional.empty();
    }
}
