package io.sinkron.consensus.statemachine.lock;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.consensus.statemachine.CommandContext;
import io.sinkron.proto.LockAcquire;
import io.sinkron.proto.LockCancel;
import io.sinkron.proto.LockCloseSession;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockDeadlocks;
import io.sinkron.proto.LockDeadlocksQuery;
import io.sinkron.proto.LockEvent;
import io.sinkron.proto.LockKeepAlive;
import io.sinkron.proto.LockKeepAliveSession;
import io.sinkron.proto.LockMode;
import io.sinkron.proto.LockOpenSession;
import io.sinkron.proto.LockQuery;
import io.sinkron.proto.LockRelease;
import io.sinkron.proto.LockRequestStatus;
import io.sinkron.proto.LockRequestStatusQuery;
import io.sinkron.proto.LockResult;
import io.sinkron.proto.LockStateView;
import io.sinkron.proto.LockStats;
import io.sinkron.proto.LockStatsQuery;
import io.sinkron.proto.LockValidate;
import io.sinkron.proto.LockValidity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a {@link LockStateMachine} the way the registry does: every entry gets the next log index,
 * time is advanced before the command, and events are collected. {@link #tick} appends a clock
 * entry, as the leader does periodically.
 */
final class LockLog {

    final LockStateMachine machine;
    final List<LockEvent> events = new ArrayList<>();
    long index;
    long nowMillis = 1_000;

    LockLog() {
        this(new LockStateMachine());
    }

    LockLog(LockStateMachine machine) {
        this.machine = machine;
    }

    LockResult apply(LockCommand command) {
        CommandContext context = context();
        machine.advanceTime(context);
        return parse(machine.apply(context, command.toByteArray()));
    }

    /** Moves log time forward and appends a clock entry. */
    void tick(long millis) {
        nowMillis += millis;
        machine.advanceTime(context());
    }

    private CommandContext context() {
        index++;
        return new CommandContext(index, nowMillis, "lock-service", (machine, at, payload) -> {
            try {
                events.add(LockEvent.parseFrom(payload));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The events collected since the last call. */
    List<LockEvent> drainEvents() {
        List<LockEvent> drained = List.copyOf(events);
        events.clear();
        return drained;
    }

    LockResult acquire(String lock, String owner, LockMode mode, long waitMillis, String requestId) {
        return apply(command(LockAcquire.newBuilder()
                .setLockId(lock)
                .setOwner(owner)
                .setMode(mode)
                .setWaitTimeoutMs(waitMillis)
                .setRequestId(requestId)
                .build()));
    }

    LockResult exclusive(String lock, String owner) {
        return acquire(lock, owner, LockMode.LOCK_MODE_EXCLUSIVE, 0, "");
    }

    LockResult shared(String lock, String owner) {
        return acquire(lock, owner, LockMode.LOCK_MODE_SHARED, 0, "");
    }

    LockResult release(String lock, String owner) {
        return apply(LockCommand.newBuilder()
                .setRelease(LockRelease.newBuilder().setLockId(lock).setOwner(owner))
                .build());
    }

    LockResult keepAlive(String lock, String owner) {
        return apply(LockCommand.newBuilder()
                .setKeepAlive(LockKeepAlive.newBuilder().setLockId(lock).setOwner(owner))
                .build());
    }

    LockResult cancel(String requestId, boolean releaseIfGranted) {
        return apply(LockCommand.newBuilder()
                .setCancel(LockCancel.newBuilder().setRequestId(requestId).setReleaseIfGranted(releaseIfGranted))
                .build());
    }

    LockResult openSession(String owner, long ttlMillis) {
        return apply(LockCommand.newBuilder()
                .setOpenSession(LockOpenSession.newBuilder().setOwner(owner).setTtlMs(ttlMillis))
                .build());
    }

    LockResult keepAliveSession(String sessionId) {
        return apply(LockCommand.newBuilder()
                .setKeepAliveSession(LockKeepAliveSession.newBuilder().setSessionId(sessionId))
                .build());
    }

    LockResult closeSession(String sessionId) {
        return apply(LockCommand.newBuilder()
                .setCloseSession(LockCloseSession.newBuilder().setSessionId(sessionId))
                .build());
    }

    LockStateView state(String lock) {
        try {
            return LockStateView.parseFrom(
                    query(LockQuery.newBuilder().setLockState(lock).build()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean valid(String lock, long token) {
        try {
            return LockValidity.parseFrom(query(LockQuery.newBuilder()
                            .setValidate(
                                    LockValidate.newBuilder().setLockId(lock).setFencingToken(token))
                            .build()))
                    .getValid();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    LockRequestStatus status(String requestId) {
        try {
            return io.sinkron.proto.LockRequestStatuses.parseFrom(query(LockQuery.newBuilder()
                            .setRequestStatus(
                                    LockRequestStatusQuery.newBuilder().addRequestIds(requestId))
                            .build()))
                    .getStatuses(0);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    LockDeadlocks deadlocks() {
        try {
            return LockDeadlocks.parseFrom(query(LockQuery.newBuilder()
                    .setDeadlocks(LockDeadlocksQuery.getDefaultInstance())
                    .build()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    LockStats stats() {
        try {
            return LockStats.parseFrom(query(LockQuery.newBuilder()
                    .setStats(LockStatsQuery.getDefaultInstance())
                    .build()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] query(LockQuery query) {
        return machine.query(query.toByteArray());
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

    /** A new log whose machine was restored from this one's snapshot, at the same index and time. */
    LockLog restoredCopy() {
        var copy = new LockLog();
        try (var in = new DataInputStream(new ByteArrayInputStream(snapshot()))) {
            copy.machine.restore(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        copy.index = index;
        copy.nowMillis = nowMillis;
        return copy;
    }

    static LockCommand command(LockAcquire acquire) {
        return LockCommand.newBuilder().setAcquire(acquire).build();
    }

    private static LockResult parse(byte[] bytes) {
        try {
            return LockResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
