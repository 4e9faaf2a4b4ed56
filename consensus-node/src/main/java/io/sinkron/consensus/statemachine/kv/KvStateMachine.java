package io.sinkron.consensus.statemachine.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.consensus.statemachine.CommandContext;
import io.sinkron.consensus.statemachine.StateMachine;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvQuery;
import io.sinkron.proto.KvResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** A replicated key-value register: put, delete, compare-and-set, get. Used by tests and benchmarks. */
public final class KvStateMachine implements StateMachine {

    public static final String NAME = "kv";

    private record Versioned(ByteString value, long revision) {}

    private final Map<String, Versioned> values = new HashMap<>();

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
                values.put(cmd.getPut().getKey(), new Versioned(cmd.getPut().getValue(), context.index()));
                result.setOk(true).setRevision(context.index());
            }
            case DELETE -> result.setOk(values.remove(cmd.getDelete().getKey()) != null);
            case CAS -> {
                var cas = cmd.getCas();
                Versioned current = values.get(cas.getKey());
                boolean matches = cas.hasExpected()
                        ? current != null && current.value().equals(cas.getExpected())
                        : current == null;
                if (matches) {
                    values.put(cas.getKey(), new Versioned(cas.getValue(), context.index()));
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
     * Copies the map's references (values are immutable), so the pause is a pointer copy, and
     * serializes the copy on the snapshot thread.
     */
    @Override
    public SnapshotWriter captureSnapshot() {
        var copy = new HashMap<>(values);
        return out -> write(copy, out);
    }

    private static void write(Map<String, Versioned> values, DataOutputStream out) throws IOException {
        out.writeInt(values.size());
        // Iteration order does not matter: restore rebuilds the same map from any order.
        for (var e : values.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().revision());
            byte[] bytes = e.getValue().value().toByteArray();
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    @Override
    public void restore(DataInputStream in) throws IOException {
        values.clear();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String key = in.readUTF();
            long revision = in.readLong();
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            values.put(key, new Versioned(ByteString.copyFrom(bytes), revision));
        }
    }
}
