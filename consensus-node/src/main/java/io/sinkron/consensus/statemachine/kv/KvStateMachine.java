package io.sinkron.consensus.statemachine.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.consensus.statemachine.CommandContext;
import io.sinkron.consensus.statemachine.PersistentMap;
import io.sinkron.consensus.statemachine.StateMachine;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvQuery;
import io.sinkron.proto.KvResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** A replicated key-value register: put, delete, compare-and-set, get. Used by tests and benchmarks. */
public final class KvStateMachine implements StateMachine {

    public static final String NAME = "kv";

    /** Entries the snapshot writer serializes between two yields of its thread. */
    private static final int YIELD_EVERY = 4096;

    private record Versioned(ByteString value, long revision) {}

    /** Persistent, so a snapshot captures it by reference (see {@link #captureSnapshot()}). */
    private PersistentMap<String, Versioned> values = PersistentMap.empty();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] apply(CommandContext context, byte[] command) {
        KvCommand cmd;
        try {
            cmd = KvCommand.parseFrom(command);
        } catch (InvalidProtocolBufferException e) {
            return KvResult.newBuilder().setOk(false).build().toByteArray();
        }
        var result = KvResult.newBuilder();
        switch (cmd.getOpCase()) {
            case PUT -> {
                values = values.put(
                        cmd.getPut().getKey(), new Versioned(cmd.getPut().getValue(), context.index()));
                result.setOk(true).setRevision(context.index());
            }
            case DELETE -> {
                var without = values.remove(cmd.getDelete().getKey());
                result.setOk(without != values);
                values = without;
            }
            case CAS -> {
                var cas = cmd.getCas();
                Versioned current = values.get(cas.getKey());
                boolean matches = cas.hasExpected()
                        ? current != null && current.value().equals(cas.getExpected())
                        : current == null;
                if (matches) {
                    values = values.put(cas.getKey(), new Versioned(cas.getValue(), context.index()));
                    result.setRevision(context.index());
                } else if (current != null) {
                    result.setValue(current.value()).setRevision(current.revision());
                }
                result.setOk(matches);
            }
            case OP_NOT_SET -> result.setOk(false);
        }
        return result.build().toByteArray();
    }

    @Override
    public byte[] query(byte[] query) {
        try {
            Versioned v = values.get(KvQuery.parseFrom(query).getKey());
            var result = KvResult.newBuilder().setOk(v != null);
            if (v != null) {
                result.setValue(v.value()).setRevision(v.revision());
            }
            return result.build().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            return KvResult.newBuilder().setOk(false).build().toByteArray();
        }
    }

    @Override
    public void snapshot(DataOutputStream out) throws IOException {
        write(values, out);
    }

    /**
     * O(1): the map is persistent, so the captured version is the current reference, which later
     * writes never change; the writer serializes it on the snapshot thread.
     */
    @Override
    public SnapshotWriter captureSnapshot() {
        var captured = values;
        return out -> write(captured, out);
    }

    private static void write(PersistentMap<String, Versioned> values, DataOutputStream out) throws IOException {
        out.writeInt(values.size());
        int[] written = {0};
        // Iteration order does not matter: restore rebuilds the same map from any order.
        values.forEach((key, value) -> {
            out.writeUTF(key);
            out.writeLong(value.revision());
            byte[] bytes = value.value().toByteArray();
            out.writeInt(bytes.length);
            out.write(bytes);
            if (++written[0] % YIELD_EVERY == 0) {
                // Serialization runs beside the apply thread; on a small machine, give it the CPU.
                Thread.yield();
            }
        });
    }

    @Override
    public void restore(DataInputStream in) throws IOException {
        PersistentMap<String, Versioned> restored = PersistentMap.empty();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String key = in.readUTF();
            long revision = in.readLong();
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            restored = restored.put(key, new Versioned(ByteString.copyFrom(bytes), revision));
        }
        values = restored;
    }
}
