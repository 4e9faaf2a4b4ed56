package io.sinkron.consensus.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.proto.LogCommand;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Snapshots of the state machines whose state is a graph of mutable objects (locks, queues, the
 * cache directory), written on the snapshot thread from a second instance of each, so that
 * capturing such a state costs the apply thread O(1) instead of a serialization of the whole state.
 *
 * <p>It rests on the contract every state machine already has: {@link StateMachine#apply} and
 * {@link StateMachine#advanceTime} are deterministic. The apply thread records each log entry it
 * applies (its index, its log time, and, when a replicated machine applied it, the entry's bytes,
 * which the Raft log holds anyway, so a step costs a few dozen bytes). A capture notes how many
 * steps were recorded. Its writer, on the snapshot thread, builds the replica machines from the
 * <em>base</em> (the serialized state of the previous snapshot this replica wrote or was restored
 * from, see {@link ReplicaBase}), replays the steps up to the capture on them, serializes them into
 * the snapshot and, beside it, into the next base, and drops them. The replica is never read or
 * written by the apply thread, so neither side locks the other, and between snapshots it costs no
 * heap beyond the recorded steps.
 *
 * <p>The price is CPU on the snapshot thread: reading the base and replaying the commands since
 * the previous snapshot (bounded by the snapshot policy), which is the work the apply thread did,
 * and far less than a serialization on the apply thread.
 *
 * <p>A restore of the live machines starts a new generation: its base is what was restored, its
 * list of steps empty; writers of the old generation finish on their own base. So does a capture
 * after a writer failed (its replay is in an unknown state): that capture pays once for
 * serializing the live state, and snapshots go on.
 */
final class SnapshotReplica {

    /** One applied log entry: {@code command} is the entry when a replicated machine applied it. */
    private record Step(long index, long timestampMillis, byte[] command) {}

    /** What one capture covers. */
    private record Capture(Generation generation, long upTo) {}

    /**
     * The base and the steps recorded after it. The apply thread appends steps without waiting for
     * anyone; writers take them and replay them holding the generation's monitor, which the apply
     * thread never takes.
     */
    private static final class Generation {
        final Queue<Step> steps = new ConcurrentLinkedQueue<>();
        /** Steps recorded in all; written and read by the apply thread only. */
        long recorded;
        /** Steps replayed in all (the base, or {@link #machines} if built, is at this count); under the monitor. */
        long replayed;
        /** The state at {@link #replayed} when {@link #machines} is null; null: the machines' initial state. */
        ReplicaBase.Stored base;
        /** Built by the first part of a capture's writer, dropped after its last part; under the monitor. */
        Map<String, StateMachine> machines;
        /** The capture whose parts are being written, and the next base they are written to. */
        Capture writing;

        ReplicaBase.Sink next;
        /** A replay or a write failed: the replica's state is unknown from then on. */
        volatile boolean broken;

        Generation(ReplicaBase.Stored base) {
            this.base = base;
        }
    }

    private final TreeMap<String, Supplier<? extends StateMachine>> factories = new TreeMap<>();
    private ReplicaBase bases = ReplicaBase.inMemory();
    private Generation current = new Generation(null);

    void add(String name, Supplier<? extends StateMachine> factory) {
        factories.put(name, factory);
        current = new Generation(null);
    }

    /** Keeps bases in {@code store} from now on (before anything is applied). */
    void keepBasesIn(ReplicaBase store) {
        this.bases = store;
    }

    boolean isEmpty() {
        return factories.isEmpty();
    }

    boolean replicates(String name) {
        return factories.containsKey(name);
    }

    /**
     * Records an applied entry (apply thread): every machine's log time moved to {@code
     * timestampMillis} at {@code index}, and, if {@code command} is not null, the replicated machine
     * it names applied its payload.
     */
    void record(long index, long timestampMillis, byte[] command) {
        current.steps.add(new Step(index, timestampMillis, command));
        current.recorded++;
    }

    /**
     * Captures the replicated machines at this point of the apply thread, in O(1). The registry
     * writes the parts of one capture in name order, on any thread; each writes the state of its
     * machine as {@link StateMachine#snapshot} would have written it now.
     */
    Map<String, StateMachine.SnapshotWriter> capture() {
        var capture = new Capture(current, current.recorded);
        var writers = new TreeMap<String, StateMachine.SnapshotWriter>();
        for (String name : factories.keySet()) {
            writers.put(name, out -> write(capture, name, out));
        }
        return writers;
    }

    private void write(Capture capture, String name, DataOutputStream out) throws IOException {
        Generation g = capture.generation();
        synchronized (g) {
            if (g.broken) {
                throw new IOException("the snapshot replica failed earlier; the next capture reseeds it");
            }
            if (g.writing != capture && g.replayed > capture.upTo()) {
                throw new IOException("a newer snapshot was written first; this capture's state is gone");
            }
            try {
                if (g.writing != capture) {
                    build(g, capture.upTo());
                    if (g.next != null) {
                        g.next.discard();
                    }
                    g.next = bases.create();
                    g.writing = capture;
                }
                g.machines.get(name).snapshot(new DataOutputStream(new Tee(out, g.next.out())));
                if (name.equals(factories.lastKey())) {
                    ReplicaBase.Stored previous = g.base;
                    g.base = g.next.finish();
                    g.next = null;
                    g.writing = null;
                    g.machines = null;
                    if (previous != null) {
                        previous.delete();
                    }
                }
            } catch (IOException | RuntimeException e) {
                g.broken = true;
                if (g.next != null) {
                    g.next.discard();
                    g.next = null;
                }
                g.machines = null;
                throw e;
            }
        }
    }

    /** Brings {@code g}'s machines to step {@code upTo}; called with {@code g}'s monitor held. */
    private void build(Generation g, long upTo) throws IOException {
        if (g.machines == null) {
            var machines = new TreeMap<String, StateMachine>();
            factories.forEach((name, factory) -> machines.put(name, factory.get()));
            if (g.base != null) {
                try (InputStream in = g.base.open()) {
                    var data = new DataInputStream(in);
                    for (StateMachine m : machines.values()) {
                        m.restore(data);
                    }
                }
            }
            g.machines = machines;
        }
        // The queue's head holds exactly the steps recorded after the replayed ones, in order.
        for (; g.replayed < upTo; g.replayed++) {
            Step step = g.steps.remove();
            var time = new CommandContext(step.index(), step.timestampMillis(), "", EventSink.NONE);
            for (StateMachine m : g.machines.values()) {
                m.advanceTime(time);
            }
            if (step.command() != null) {
                apply(g.machines, step);
            }
        }
    }

    /** Replays what the live registry did with an entry it handed to a replicated machine. */
    private static void apply(Map<String, StateMachine> machines, Step step) throws IOException {
        LogCommand cmd;
        try {
            cmd = LogCommand.parseFrom(step.command());
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("a recorded entry at " + step.index() + " no longer parses", e);
        }
        // The replica emits no events: the live machines did.
        var context = new CommandContext(step.index(), step.timestampMillis(), cmd.getClientId(), EventSink.NONE);
        machines.get(cmd.getStateMachine()).apply(context, cmd.getPayload().toByteArray());
    }

    /**
     * Whether a writer found the replica broken (a replay or a write threw), so that it must be
     * reseeded from the live state before the next capture.
     */
    boolean broken() {
        return current.broken;
    }

    /** The live machines were restored from a stream (apply thread); see {@link #restoring}. */
    ReplicaBase.Sink restoring() throws IOException {
        return bases.create();
    }

    /**
     * The live machines were restored (apply thread), their replicated sections copied to {@code
     * base} as they were read: a new generation starts from there.
     */
    void restored(ReplicaBase.Sink base) throws IOException {
        current = new Generation(base.finish());
    }

    /** Reseeds a new generation from the live state, serialized now (apply thread). */
    void reseed(Map<String, StateMachine> live) throws IOException {
        ReplicaBase.Sink base = bases.create();
        try {
            var out = new DataOutputStream(base.out());
            for (String name : factories.keySet()) {
                live.get(name).snapshot(out);
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            base.discard();
            throw e;
        }
        current = new Generation(base.finish());
    }

    /** Copies every byte written to {@code out} to {@code copy} too. */
    private static final class Tee extends OutputStream {
        private final OutputStream out;
        private final OutputStream copy;

        Tee(OutputStream out, OutputStream copy) {
            this.out = out;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            copy.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            copy.write(b, off, len);
        }
    }

    /** Copies every byte read from {@code in} to {@code copy}. */
    static final class TeeInput extends FilterInputStream {
        private final OutputStream copy;

        TeeInput(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                copy.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                copy.write(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            int read = read(buf, 0, buf.length);
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
