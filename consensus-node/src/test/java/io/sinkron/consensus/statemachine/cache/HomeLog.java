package io.sinkron.consensus.statemachine.cache;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.consensus.statemachine.CommandContext;
import io.sinkron.proto.CacheAck;
import io.sinkron.proto.CacheCommand;
import io.sinkron.proto.CacheDeregister;
import io.sinkron.proto.CacheDirectory;
import io.sinkron.proto.CacheEvent;
import io.sinkron.proto.CacheEvict;
import io.sinkron.proto.CacheFill;
import io.sinkron.proto.CacheFillResult;
import io.sinkron.proto.CacheKeepAlive;
import io.sinkron.proto.CacheKeyVersion;
import io.sinkron.proto.CacheLineRef;
import io.sinkron.proto.CacheQuery;
import io.sinkron.proto.CacheQueryResult;
import io.sinkron.proto.CacheRegister;
import io.sinkron.proto.CacheResult;
import io.sinkron.proto.CacheSessionResult;
import io.sinkron.proto.CacheValue;
import io.sinkron.proto.CacheWrite;
import io.sinkron.proto.CacheWriteBatch;
import io.sinkron.proto.CacheWriteResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a {@link CacheStateMachine} the way the registry does: one log index per command, log
 * time advanced (and {@link CacheStateMachine#advanceTime} called) before each, events recorded.
 */
final class HomeLog {

    final CacheStateMachine machine;
    final List<CacheEvent> events = new ArrayList<>();
    long index;
    long nowMillis = 1_000;

    HomeLog() {
        this(new CacheStateMachine());
    }

    HomeLog(CacheStateMachine machine) {
        this.machine = machine;
    }

    /** A leader clock entry at {@code millis}. */
    void clockAt(long millis) {
        nowMillis = Math.max(nowMillis, millis);
        machine.advanceTime(context());
    }

    void advance(long millis) {
        clockAt(nowMillis + millis);
    }

    CacheResult submit(CacheCommand command) {
        return submit(command.toByteArray());
    }

    CacheResult submit(byte[] command) {
        CommandContext time = context();
        machine.advanceTime(time);
        try {
            return CacheResult.parseFrom(machine.apply(time, command));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private CommandContext context() {
        index++;
        return new CommandContext(index, nowMillis, "client", (stateMachine, at, payload) -> {
            try {
                events.add(CacheEvent.parseFrom(payload));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    long register(String instance, long leaseMillis) {
        return register(instance, leaseMillis, 0).getSession();
    }

    CacheSessionResult register(String instance, long leaseMillis, long replaces) {
        return submit(CacheCommand.newBuilder()
                        .setRegister(CacheRegister.newBuilder()
                                .setInstanceId(instance)
                                .setLeaseMs(leaseMillis)
                                .setReplacesSession(replaces))
                        .build())
                .getSession();
    }

    CacheSessionResult keepAlive(long session) {
        return submit(CacheCommand.newBuilder()
                        .setKeepAlive(CacheKeepAlive.newBuilder().setSession(session))
                        .build())
                .getSession();
    }

    void deregister(long session) {
        submit(CacheCommand.newBuilder()
                .setDeregister(CacheDeregister.newBuilder().setSession(session))
                .build());
    }

    CacheFillResult fill(long session, long epoch, String key) {
        return submit(CacheCommand.newBuilder()
                        .setFill(CacheFill.newBuilder()
                                .setSession(session)
                                .setEpoch(epoch)
                                .setKey(key))
                        .build())
                .getFill();
    }

    CacheWriteResult put(long session, long epoch, String key, String value) {
        return write(session, epoch, key, value, 0, null);
    }

    CacheWriteResult write(long session, long epoch, String key, String value, long ttlMillis, Long expected) {
        var write = CacheWrite.newBuilder().setSession(session).setEpoch(epoch).setKey(key);
        if (value == null) {
            write.setDelete(true);
        } else {
            write.setValue(ByteString.copyFromUtf8(value)).setTtlMs(ttlMillis);
        }
        if (expected != null) {
            write.setExpectedVersion(expected);
        }
        return write(write.build());
    }

    CacheWriteResult write(CacheWrite write) {
        return submit(CacheCommand.newBuilder().setWrite(write).build()).getWrite();
    }

    /** The writes as one {@code CacheWriteBatch} command. */
    CacheResult writeBatch(CacheWrite... writes) {
        return submit(CacheCommand.newBuilder()
                .setWriteBatch(CacheWriteBatch.newBuilder().addAllWrites(List.of(writes)))
                .build());
    }

    static CacheWrite putOf(long session, long epoch, String key, String value) {
        return CacheWrite.newBuilder()
                .setSession(session)
                .setEpoch(epoch)
                .setKey(key)
                .setValue(ByteString.copyFromUtf8(value))
                .build();
    }

    CacheWriteResult delete(long session, long epoch, String key) {
        return write(session, epoch, key, null, 0, null);
    }

    void ack(long session, String key, long version) {
        submit(CacheCommand.newBuilder()
                .setAck(CacheAck.newBuilder()
                        .setSession(session)
                        .addInvalidations(
                                CacheKeyVersion.newBuilder().setKey(key).setVersion(version)))
                .build());
    }

    void evict(long session, String key, long epoch) {
        submit(CacheCommand.newBuilder()
                .setEvict(CacheEvict.newBuilder()
                        .setSession(session)
                        .addLines(CacheLineRef.newBuilder().setKey(key).setEpoch(epoch)))
                .build());
    }

    CacheQueryResult query(CacheQuery query) {
        try {
            return CacheQueryResult.parseFrom(machine.query(query.toByteArray()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    CacheValue get(String key) {
        return query(CacheQuery.newBuilder().setGet(key).build()).getValue();
    }

    /** The committed value as text, null if absent. */
    String value(String key) {
        CacheValue value = get(key);
        return value.getFound() ? value.getValue().toString(StandardCharsets.UTF_8) : null;
    }

    CacheDirectory directory(String key) {
        return query(CacheQuery.newBuilder().setDirectory(key).build()).getDirectory();
    }

    boolean writeApplied(String key, long version) {
        return query(CacheQuery.newBuilder()
                        .setWriteStatus(CacheKeyVersion.newBuilder().setKey(key).setVersion(version))
                        .build())
                .getWriteApplied();
    }

    byte[] snapshot() {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            machine.snapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A second home restored from this one's snapshot, at the same index and time. */
    HomeLog restoredCopy() {
        var copy = new HomeLog();
        try (var in = new DataInputStream(new ByteArrayInputStream(snapshot()))) {
            copy.machine.restore(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        copy.index = index;
        copy.nowMillis = nowMillis;
        return copy;
    }
}
