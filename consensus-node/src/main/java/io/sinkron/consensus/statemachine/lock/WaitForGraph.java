package io.sinkron.consensus.statemachine.lock;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
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
     * empty. Depth-first, so it costs one visit per owner reachable from {@code start}.
     */
    Optional<List<Edge>> cycleThrough(String start) {
        List<Edge> path = new ArrayList<>();
        Deque<Iterator<Edge>> pending = new ArrayDeque<>();
        Set<String> onPath = new HashSet<>();
        Set<String> exhausted = new HashSet<>();
        pending.push(edgesFrom.apply(start).iterator());
        onPath.add(start);
        while (!pending.isEmpty()) {
            Iterator<Edge> edges = pending.peek();
            if (!edges.hasNext()) {
                pending.pop();
                String node = path.isEmpty() ? start : path.removeLast().to();
                onPath.remove(node);
                exhausted.add(node);
                continue;
            }
            Edge edge = edges.next();
            if (edge.to().equals(start)) {
                path.add(edge);
                return Optional.of(List.copyOf(path));
            }
            // A cycle that does not pass through start existed before the edge that triggered this
            // search, so it was resolved then; only cycles through start are new.
            if (onPath.contains(edge.to()) || exhausted.contains(edge.to())) {
                continue;
            }
            path.add(edge);
            onPath.add(edge.to());
            pending.push(edgesFrom.apply(edge.to()).iterator());
        }
        return Optional.empty();
    }
}
