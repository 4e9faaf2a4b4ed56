package io.sinkron.consensus.statemachine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * A second instance of each state machine whose state is a graph of mutable objects (locks,
 * queues, the cache directory), kept on the snapshot thread, so that capturing such a state costs
 * the apply thread O(1) instead of a serialization of the whole state.
 *
 * <p>It rests on the contract every state machine already has: {@link StateMachine#apply} and
 * {@link StateMachine#advanceTime} are deterministic. The apply thread records each call it makes
 * on these machines (a context and the command's bytes, which it holds anyway) in a list; a capture
 * hands that list over, and the snapshot thread replays it on the replica, which then holds exactly
 * the state of the capture index, and serializes the replica while the live state moves on. The
 * replica is never read or written by the apply thread, so neither side locks the other.
 *
 * <p>The price: the replicated machines take twice their memory, and the snapshot thread spends
 * CPU replaying the commands since the previous snapshot (bounded by the snapshot policy).
 * Replaying is the same work the apply thread did, and far less than the serialization it replaces
 * on the apply thread.
 *
 * <p>A restore of the live machines starts a new generation: a fresh replica, seeded from the
 * restored state, with an empty list; writers of the old generation finish on their own replica.
 * So does a capture after a writer failed (its replica is in an unknown state): that capture pays
 * once for serializing the live state, and snapshots go on.
 */
final class SnapshotReplica {

    private sealed interface Step {}

    private record AdvanceTime(CommandContext context) implements Step {}

    private record Apply(String machine, CommandContext context, byte[] command) implements Step {}

    /**
     * The replicated machines of one generation and the steps recorded for them. The apply thread
     * appends steps without waiting for anyone; writers take them and replay them holding the
     * generation's monitor, which the apply thread never takes.
     */
    private static final class Generation {
        final Map<String, StateMachine> machines = new TreeMap<>();
        Map<String, byte[]> seeds;
        final Queue<Step> steps = new ConcurrentLinkedQueue<>();
        /** Steps recorded in all; written and read by the apply thread only. */
        long recorded;
        /** Steps replayed in all; under the monitor. */
        long replayed;
        /** A replay or a write failed: the replica's state is unknown from then on. */
        volatile boolean broken;

        Generation(Map<String, Supplier<? extends StateMachine>> factories, Map<String, byte[]> seeds) {
            factories.forEach((name, factory) -> machines.put(name, factory.get()));
            this.seeds = seeds;
        }
    }

    private final Map<String, Supplier<? extends StateMachine>> factories = new TreeMap<>();
    private Generation current = new Generation(factories, Map.of());

    void add(String name, Supplier<? extends StateMachine> factory) {
        factories.put(name, factory);
        current = new Generation(factories, Map.of());
    }

    boolean isEmpty() {
        return factories.isEmpty();
    }

    boolean replicates(String name) {
        return factories.containsKey(name);
    }

    /** Records that every machine's log time moved to {@code context}'s (apply thread). */
    void advanceTime(CommandContext context) {
        record(new AdvanceTime(quiet(context)));
    }

    /** Records that {@code machine} applied {@code command} (apply thread). */
    void apply(String machine, CommandContext context, byte[] command) {
        record(new Apply(machine, quiet(context), command));
    }

    private void record(Step step) {
        current.steps.add(step);
        current.recorded++;
    }

    /** The replica emits no events: the live machines did. */
    private static CommandContext quiet(CommandContext context) {
        return new CommandContext(context.index(), context.timestampMillis(), context.clientId(), EventSink.NONE);
    }

    /**
     * Captures the replicated machines at this point of the apply thread, in O(1): the writers,
     * run later on any thread, replay the steps recorded until now and write the state of {@code
     * name} as {@link StateMachine#snapshot} would have written it now.
     */
    StateMachine.SnapshotWriter capture(String name) {
        Generation g = current;
        long upTo = g.recorded;
        return out -> {
            synchronized (g) {
                if (g.broken) {
                    throw new IOException("the snapshot replica failed earlier; the next capture reseeds it");
                }
                try {
                    catchUp(g, upTo);
                    g.machines.get(name).snapshot(out);
                } catch (IOException | RuntimeException e) {
                    g.broken = true;
                    throw e;
                }
            }
        };
    }

    /** Called with {@code g}'s monitor held, on a writer's thread. */
    private static void catchUp(Generation g, long upTo) throws IOException {
        if (g.seeds != null) {
            for (var seed : g.seeds.entrySet()) {
                g.machines.get(seed.getKey()).restore(new DataInputStream(new ByteArrayInputStream(seed.getValue())));
            }
            g.seeds = null;
        }
        if (g.replayed > upTo) {
            throw new IOException("a newer snapshot was written first; this capture's state is gone");
        }
        // The queue's head holds exactly the steps recorded before this capture, in order.
        for (; g.replayed < upTo; g.replayed++) {
            switch (g.steps.remove()) {
                case AdvanceTime t -> {
                    for (StateMachine m : g.machines.values()) {
                        m.advanceTime(t.context());
                    }
                }
                case Apply a -> g.machines.get(a.machine()).apply(a.context(), a.command());
            }
        }
    }

    /**
     * Whether a writer found the replica broken (a replay or a write threw), so that it must be
     * reseeded from the live state before the next capture.
     */
    boolean broken() {
        return current.broken;
    }

    /**
     * The live machines were restored (apply thread): a new generation starts from their state,
     * serialized now, as the restore itself was.
     */
    void restored(Map<String, StateMachine> live) throws IOException {
        var seeds = new TreeMap<String, byte[]>();
        for (String name : factories.keySet()) {
            var bytes = new ByteArrayOutputStream();
            live.get(name).snapshot(new DataOutputStream(bytes));
            seeds.put(name, bytes.toByteArray());
        }
        current = new Generation(factories, seeds);
    }
}
