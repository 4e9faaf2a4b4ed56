package io.sinkron.consensus.raft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A hand-driven cluster for rule-by-rule tests, in the spirit of etcd-io/raft's interaction tests:
 * nothing moves unless the test says {@link #tick}, {@link #deliver} or {@link #stabilize}. Each
 * node's storage is perfect (every Ready is persisted before its messages are queued).
 */
final class TestNetwork {

    final Map<String, Raft> nodes = new TreeMap<>();
    final Map<String, List<Entry>> applied = new TreeMap<>();
    final List<Message> queue = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();
    final Set<String> isolated = new HashSet<>();
    Predicate<Message> drop = m -> false;

    static TestNetwork of(int size) {
        var net = new TestNetwork();
        var voters = new TreeMap<String, String>();
        for (int i = 1; i <= size; i++) {
            voters.put("n" + i, "addr" + i);
        }
        var membership = new Membership(voters, Map.of());
        for (String id : voters.keySet()) {
            var config = new RaftConfig(id, 1, 10, 20, true, true, 4, 1 << 20, 1 << 20);
            net.nodes.put(id, new Raft(config, HardState.EMPTY, List.of(), membership, new Random(id.hashCode())));
            net.applied.put(id, new ArrayList<>());
        }
        return net;
    }

    Raft node(String id) {
        return nodes.get(id);
    }

    /** Processes every node's Ready: "persist", queue messages, apply. */
    void flush() {
        for (var e : nodes.entrySet()) {
            Raft r = e.getValue();
            while (r.hasReady()) {
                Ready rd = r.ready();
                queue.addAll(rd.messages());
                applied.get(e.getKey()).addAll(rd.committedEntries());
                readStates.addAll(rd.readStates());
                r.advance(rd);
            }
        }
    }

    /** Delivers the queued messages once (new messages they cause stay queued). */
    int deliver() {
        flush();
        var batch = new ArrayList<>(queue);
        queue.clear();
        int delivered = 0;
        for (Message m : batch) {
            if (drop.test(m) || isolated.contains(m.from()) || isolated.contains(m.to())) {
                continue;
            }
            nodes.get(m.to()).step(m);
            delivered++;
        }
        flush();
        return delivered;
    }

    void stabilize() {
        for (int i = 0; i < 1000 && (deliver() > 0 || !queue.isEmpty()); i++) {
            // Keep delivering until the cluster is quiet.
        }
    }

    void tick(String id, int times) {
        for (int i = 0; i < times; i++) {
            nodes.get(id).tick();
        }
        flush();
    }

    /** Makes {@code id} campaign now: ticks it past the largest election timeout. */
    void campaign(String id) {
        tick(id, 20);
    }

    void elect(String id) {
        campaign(id);
        stabilize();
    }

    long propose(String id, String data) {
        long index = nodes.get(id).propose(EntryType.COMMAND, data.getBytes());
        flush();
        return index;
    }
}
