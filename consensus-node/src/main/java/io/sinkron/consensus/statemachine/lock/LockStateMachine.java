package io.sinkron.consensus.statemachine.lock;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.consensus.statemachine.CommandContext;
import io.sinkron.consensus.statemachine.StateMachine;
import io.sinkron.proto.LockBatch;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockOutcome;
import io.sinkron.proto.LockQuery;
import io.sinkron.proto.LockResult;
import io.sinkron.proto.LockSnapshot;
import io.sinkron.proto.LockValidity;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The replicated lock service: shared/exclusive locks with FIFO waiters, reentrancy, upgrades,
 * fencing tokens, leases, lock-user sessions and deadlock detection. The rules live in
 * {@link LockTable}; this class speaks the {@code lock.proto} contract.
 *
 * <p>Commands are {@code LockCommand}s answered with a {@code LockResult}; queries are
 * {@code LockQuery}s answered with the message their case names. The end of every wait (grant,
 * timeout, deadlock, cancellation, session loss) is also emitted as a {@code LockEvent}, so a
 * service can wake its waiting callers without polling.
 */
public final class LockStateMachine implements StateMachine {

    public static final String NAME = "lock";

    private final LockTable table = new LockTable();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] apply(CommandContext context, byte[] command) {
        LockCommand cmd;
        try {
            cmd = LockCommand.parseFrom(command);
        } catch (InvalidProtocolBufferException e) {
            return invalid("malformed lock command");
        }
        return apply(step(context), cmd, false).toByteArray();
    }

    /**
     * One command; a {@link LockBatch} applies its commands in order, each answered on its own,
     * within the same step (one entry: one index, one time).
     */
    private LockResult apply(LockTable.Step step, LockCommand cmd, boolean inBatch) {
        return switch (cmd.getCommandCase()) {
            case ACQUIRE -> table.acquire(step, cmd.getAcquire());
            case RELEASE ->
                table.release(
                        step, cmd.getRelease().getLockId(), cmd.getRelease().getOwner());
            case KEEP_ALIVE ->
                table.keepAlive(
                        cmd.getKeepAlive().getLockId(), cmd.getKeepAlive().getOwner());
            case CANCEL ->
                table.cancel(
                        step, cmd.getCancel().getRequestId(), cmd.getCancel().getReleaseIfGranted());
            case OPEN_SESSION ->
                table.openSession(
                        step,
                        cmd.getOpenSession().getOwner(),
                        cmd.getOpenSession().getTtlMs());
            case KEEP_ALIVE_SESSION ->
                table.keepAliveSession(cmd.getKeepAliveSession().getSessionId());
            case CLOSE_SESSION -> table.closeSession(step, cmd.getCloseSession().getSessionId());
            case BATCH -> inBatch ? invalidResult("a batch cannot contain a batch") : batch(step, cmd.getBatch());
            case COMMAND_NOT_SET -> invalidResult("empty lock command");
        };
    }

    private LockResult batch(LockTable.Step step, LockBatch batch) {
        var result = LockResult.newBuilder().setOutcome(LockOutcome.LOCK_OUTCOME_OK);
        for (LockCommand cmd : batch.getCommandsList()) {
            result.addBatch(apply(step, cmd, true));
        }
        return result.build();
    }

    @Override
    public void advanceTime(CommandContext context) {
        table.advanceTime(step(context));
    }

    /** A malformed query gets an empty answer, which reads as the default of every answer type. */
    @Override
    public byte[] query(byte[] query) {
        LockQuery q;
        try {
            q = LockQuery.parseFrom(query);
        } catch (InvalidProtocolBufferException e) {
            return new byte[0];
        }
        return switch (q.getQueryCase()) {
            case LOCK_STATE -> table.state(q.getLockState()).toByteArray();
            case VALIDATE ->
                LockValidity.newBuilder()
                        .setValid(table.valid(
                                q.getValidate().getLockId(), q.getValidate().getFencingToken()))
                        .build()
                        .toByteArray();
            case REQUEST_STATUS ->
                table.requestStatuses(q.getRequestStatus().getRequestIdsList()).toByteArray();
            case DEADLOCKS -> table.deadlocks().toByteArray();
            case STATS -> table.stats().toByteArray();
            case QUERY_NOT_SET -> new byte[0];
        };
    }

    @Override
    public void snapshot(DataOutputStream out) throws IOException {
        byte[] bytes = table.snapshot().toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    @Override
    public void restore(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        table.restore(LockSnapshot.parseFrom(bytes));
    }

    private static LockTable.Step step(CommandContext context) {
        return new LockTable.Step(
                context.index(),
                context.timestampMillis(),
                event -> context.events().emit(NAME, context.index(), event.toByteArray()));
    }

    private static byte[] invalid(String message) {
        return invalidResult(message).toByteArray();
    }

    private static LockResult invalidResult(String message) {
        return LockResult.newBuilder()
                .setOutcome(LockOutcome.LOCK_OUTCOME_INVALID)
                .setMessage(message)
                .build();
    }
}
