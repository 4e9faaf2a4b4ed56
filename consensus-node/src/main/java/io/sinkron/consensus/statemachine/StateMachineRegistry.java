package io.sinkron.consensus.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.proto.LogCommand;
import io.sinkron.proto.ResultCode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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

    /** Applies the payload of a committed COMMAND entry. */
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
        if (!replica.isEmpty()) {
            replica.advanceTime(timeContext);
        }
        if (CLOCK.equals(cmd.getStateMachine())) {
            return AppliedCommand.ok(new byte[0]);
        }
        StateMachine machine = machines.get(cmd.getStateMachine());
        if (machine == null) {
            return new AppliedCommand(
                    ResultCode.RESULT_CODE_INVALID,
                    new byte[0],
                    "unknown state machine '" + cmd.getStateMachine() + "'");
        }
        var verdict = sessions.check(cmd.getClientId(), cmd.getSequence(), cmd.getAckedSequence(), now);
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
                if (replica.replicates(machine.name())) {
                    replica.apply(machine.name(), context, payload);
                }
                sessions.record(cmd.getClientId(), cmd.getSequence(), cmd.getAckedSequence(), now, result);
                yield AppliedCommand.ok(result);
            }
        };
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
            replica.restored(machines);
        }
        long timestamp = lastTimestampMillis;
        StateMachine.SnapshotWriter capturedSessions = sessions.capture();
        var parts = new ArrayList<Map.Entry<String, StateMachine.SnapshotWriter>>();
        for (var m : machines.values()) {
            parts.add(Map.entry(
                    m.name(), replica.replicates(m.name()) ? replica.capture(m.name()) : m.captureSnapshot()));
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
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            StateMachine m = machines.get(name);
            if (m == null) {
                throw new IOException("snapshot holds unknown state machine '" + name + "'");
            }
            m.restore(in);
        }
        replica.restored(machines);
    }
}
