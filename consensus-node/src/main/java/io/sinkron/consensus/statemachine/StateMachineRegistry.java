package io.sinkron.consensus.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.proto.LogCommand;
import io.sinkron.proto.ResultCode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The replicated state of one Raft group: the client sessions and every registered
 * {@link StateMachine}. It unwraps each committed {@link LogCommand}, filters retries through the
 * sessions, and hands new commands to the state machine they name.
 */
public final class StateMachineRegistry {

    /**
     * The pseudo state machine of the leader's clock entries: they carry only a timestamp and
     * advance log time on every state machine.
     */
    public static final String CLOCK = "_clock";

    private final Map<String, StateMachine> machines = new TreeMap<>();
    private final ClientSessions sessions;
    private final SnapshotReplica replica = new SnapshotReplica();
    private long lastTimestampMillis;

    public StateMachineRegistry(long sessionTtlMillis) {
        this.sessions = new ClientSessions(sessionTtlMillis);
    }

    public StateMachineRegistry register(StateMachine machine) {
        if (machines.putIfAbsent(machine.name(), machine) != null) {
            throw new IllegalArgumentException("state machine " + machine.name() + " registered twice");
        }
        return this;
    }

    /**
     * Registers a state machine whose snapshot is written from a replica on the snapshot thread (see
     * {@link SnapshotReplica}): capturing it costs the apply thread O(1) at the price of a second
     * instance, which {@code factory} makes. For state machines whose state is not persistent.
     */
    public StateMachineRegistry registerReplicated(Supplier<? extends StateMachine> factory) {
        StateMachine machine = factory.get();
        register(machine);
        replica.add(machine.name(), factory);
        return this;
    }

    public boolean has(String name) {
        return machines.containsKey(name);
    }

    public StateMachine get(String name) {
        return machines.get(name);
    }

    /**
     * Applies the payload of a committed COMMAND entry. {@code entryData} must not change
     * afterwards: the snapshot replica keeps a reference to it (as the Raft log does) until the next
     * snapshot is written.
     */
    public AppliedCommand apply(long index, byte[] entryData, EventSink events) {
        LogCommand cmd;
        try {
            cmd = LogCommand.parseFrom(entryData);
        } catch (InvalidProtocolBufferException e) {
            // Every replica reaches the same verdict, so refusing keeps them identical.
            return new AppliedCommand(ResultCode.RESULT_CODE_INVALID, new byte[0], "malformed command");
        }
        lastTimestampMillis = Math.max(lastTimestampMillis, cmd.getTimestampMillis());
        long now = lastTimestampMillis;
        var timeContext = new CommandContext(index, now, "", events);
        for (StateMachine m : machines.values()) {
            m.advanceTime(timeContext);
        }
        if (CLOCK.equals(cmd.getStateMachine())) {
            recordForReplica(index, now, null);
            return AppliedCommand.ok(new byte[0]);
        }
        StateMachine machine = machines.get(cmd.getStateMachine());
        if (machine == null) {
            recordForReplica(index, now, null);
            return new AppliedCommand(
                    ResultCode.RESULT_CODE_INVALID,
                    new byte[0],
                    "unknown state machine '" + cmd.getStateMachine() + "'");
        }
        var verdict = sessions.check(cmd.getClientId(), cmd.getSequence(), cmd.getAckedSequence(), now);
        boolean applies = verdict instanceof ClientSessions.Verdict.Apply;
        recordForReplica(index, now, applies && replica.replicates(machine.name()) ? entryData : null);
        return switch (verdict) {
            case ClientSessions.Verdict.Duplicate d -> AppliedCommand.ok(d.result());
            case ClientSessions.Verdict.Expired expired ->
                new AppliedCommand(
                        ResultCode.RESULT_CODE_SESSION_EXPIRED,
                        new byte[0],
                        "session of client '" + cmd.getClientId() + "' expired; open a new one");
            case ClientSessions.Verdict.Apply apply -> {
                var context = new CommandContext(index, now, cmd.getClientId(), events);
                byte[] payload = cmd.getPayload().toByteArray();
                byte[] result = machine.apply(context, payload);
                sessions.record(cmd.getClientId(), cmd.getSequence(), cmd.getAckedSequence(), now, result);
                yield AppliedCommand.ok(result);
            }
        };
    }

    /**
     * The replica replays this entry later: log time moves for every entry, and {@code entryData}
     * (the bytes the Raft log holds, not a copy) is applied again when it is not null.
     */
    private void recordForReplica(long index, long now, byte[] entryData) {
        if (!replica.isEmpty()) {
            replica.record(index, now, entryData);
        }
    }

    /** Log time: the newest leader timestamp applied so far. */
    public long timestampMillis() {
        return lastTimestampMillis;
    }

    public ClientSessions sessions() {
        return sessions;
    }

    public void snapshot(DataOutputStream out) throws IOException {
        out.writeLong(lastTimestampMillis);
        sessions.snapshot(out);
        out.writeInt(machines.size());
        for (var m : machines.values()) {
            out.writeUTF(m.name());
            m.snapshot(out);
        }
    }

    /**
     * Captures every state machine at the current index (on the apply thread) and returns a writer
     * that produces the same bytes as {@link #snapshot} when run later, on any thread. The sessions
     * are captured in O(1); so is each state machine registered {@linkplain #registerReplicated
     * replicated}, and each that overrides {@link StateMachine#captureSnapshot()} with a persistent
     * state.
     */
    public StateMachine.SnapshotWriter captureSnapshot() throws IOException {
        if (replica.broken()) {
            replica.reseed(machines);
        }
        long timestamp = lastTimestampMillis;
        StateMachine.SnapshotWriter capturedSessions = sessions.capture();
        Map<String, StateMachine.SnapshotWriter> replicated = replica.isEmpty() ? Map.of() : replica.capture();
        var parts = new ArrayList<Map.Entry<String, StateMachine.SnapshotWriter>>();
        for (var m : machines.values()) {
            StateMachine.SnapshotWriter part = replicated.get(m.name());
            parts.add(Map.entry(m.name(), part != null ? part : m.captureSnapshot()));
        }
        return target -> {
            target.writeLong(timestamp);
            capturedSessions.writeTo(target);
            target.writeInt(parts.size());
            for (var part : parts) {
                target.writeUTF(part.getKey());
                part.getValue().writeTo(target);
            }
        };
    }

    public void restore(DataInputStream in) throws IOException {
        lastTimestampMillis = in.readLong();
        sessions.restore(in);
        int count = in.readInt();
        // The replicated sections are copied to the replica's next base as they are read.
        ReplicaBase.Sink base = replica.isEmpty() ? null : replica.restoring();
        try {
            var restored = new java.util.HashSet<String>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                StateMachine m = machines.get(name);
                if (m == null) {
                    throw new IOException("snapshot holds unknown state machine '" + name + "'");
                }
                if (replica.replicates(name)) {
                    var copying = new DataOutputStream(base.out());
                    m.restore(new DataInputStream(new SnapshotReplica.TeeInput(in, copying)));
                    copying.flush();
                } else {
                    m.restore(in);
                }
                restored.add(name);
            }
            if (base != null) {
                boolean whole =
                        machines.keySet().stream().filter(replica::replicates).allMatch(restored::contains);
                if (whole) {
                    replica.restored(base);
                } else {
                    // A snapshot from before a replicated machine existed: seed from the live state.
                    base.discard();
                    replica.reseed(machines);
                }
                base = null;
            }
        } finally {
            if (base != null) {
                base.discard();
            }
        }
    }

    /**
     * Keeps the snapshot replica's base (the serialized state its next snapshot starts from) in
     * files under {@code dir} instead of the heap. Call before anything is applied or restored.
     */
    public StateMachineRegistry keepSnapshotBaseIn(Path dir) throws IOException {
        replica.keepBasesIn(ReplicaBase.inDirectory(dir));
        return this;
    }
}
