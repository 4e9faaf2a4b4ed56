package io.sinkron.lock.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.KeyedBatching;
import io.sinkron.client.Subscription;
import io.sinkron.lock.config.LockProperties;
import io.sinkron.proto.LockBatch;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockDeadlocks;
import io.sinkron.proto.LockDeadlocksQuery;
import io.sinkron.proto.LockEvent;
import io.sinkron.proto.LockGrant;
import io.sinkron.proto.LockOutcome;
import io.sinkron.proto.LockQuery;
import io.sinkron.proto.LockRequestStatusQuery;
import io.sinkron.proto.LockRequestStatuses;
import io.sinkron.proto.LockResult;
import io.sinkron.proto.LockStateView;
import io.sinkron.proto.LockStats;
import io.sinkron.proto.LockStatsQuery;
import io.sinkron.proto.LockValidate;
import io.sinkron.proto.LockValidity;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.stereotype.Component;

/**
 * The lock state machine of the consensus cluster, in the terms of {@code lock.proto}: every
 * method is one client call. Commands are replicated; reads are linearizable except
 * {@link #stats()}, which only feeds gauges.
 */
@Component
public class LockCluster {

    /** The name the consensus node registers the lock state machine under. */
    public static final String STATE_MACHINE = "lock";

    private final ConsensusClient client;
    private final KeyedBatching<LockCommand, LockResult> batching;

    LockCluster(ConsensusClient client, LockProperties properties) {
        this.client = client;
        this.batching = batching(this::submit, properties.commandsInFlight(), properties.maxBatch());
    }

    /**
     * Commands as the state machine receives them: a lone one as itself, several as a
     * {@link LockBatch} of different locks, which is applied whole, each command answered on its
     * own. The state machine never grants a lock exclusively twice in one entry (a second grant
     * would repeat the entry's index as its fencing token), so one command per lock per batch
     * keeps every command's answer what it would have been alone.
     */
    static KeyedBatching<LockCommand, LockResult> batching(
            Function<LockCommand, CompletableFuture<LockResult>> cluster, int inFlight, int maxCommands) {
        return new KeyedBatching<>(
                new KeyedBatching.Form<>() {
                    @Override
                    public CompletableFuture<LockResult> one(LockCommand command) {
                        return cluster.apply(command);
                    }

                    @Override
                    public CompletableFuture<List<LockResult>> batch(List<LockCommand> commands) {
                        return cluster.apply(LockCommand.newBuilder()
                                        .setBatch(LockBatch.newBuilder().addAllCommands(commands))
                                        .build())
                                .thenApply(LockResult::getBatchList);
                    }
                },
                LockCluster::lockOf,
                LockCommand::getSerializedSize,
                inFlight,
                maxCommands,
                Long.MAX_VALUE);
    }

    public CompletableFuture<LockResult> submit(LockCommand command) {
        return client.submitAsync(STATE_MACHINE, command.toByteArray())
                .thenApply(bytes -> parse(LockResult.parser(), bytes));
    }

    /**
     * Submits a command that concerns one lock alone and is decided by its own entry (a
     * try-once acquire, a release, a lease keep-alive), possibly in one entry with concurrent
     * commands of other locks ({@link #batching}).
     */
    public CompletableFuture<LockResult> submitBatched(LockCommand command) {
        return batching.submit(command);
    }

    /** The one lock a batchable command concerns. */
    static String lockOf(LockCommand command) {
        return switch (command.getCommandCase()) {
            case ACQUIRE -> command.getAcquire().getLockId();
            case RELEASE -> command.getRelease().getLockId();
            case KEEP_ALIVE -> command.getKeepAlive().getLockId();
            default -> throw new IllegalArgumentException(command.getCommandCase() + " is not batched");
        };
    }

    public LockStateView state(String lockId) {
        return read(LockQuery.newBuilder().setLockState(lockId).build(), LockStateView.parser());
    }

    public boolean valid(String lockId, long fencingToken) {
        return read(
                        LockQuery.newBuilder()
                                .setValidate(LockValidate.newBuilder()
                                        .setLockId(lockId)
                                        .setFencingToken(fencingToken))
                                .build(),
                        LockValidity.parser())
                .getValid();
    }

    /**
     * A remembered outcome as it stands now: a grant whose hold has ended since it was made (its
     * lease ran out) becomes LEASE_EXPIRED. Meant for outcomes read back rather than heard as they
     * happened, which may be old by then: reporting such a grant would tell a caller that it holds
     * a lock that may have passed to someone else.
     */
    public CompletableFuture<LockResult> current(LockResult remembered) {
        if (remembered.getOutcome() != LockOutcome.LOCK_OUTCOME_GRANTED) {
            return CompletableFuture.completedFuture(remembered);
        }
        LockGrant grant = remembered.getGrant();
        LockQuery query = LockQuery.newBuilder()
                .setValidate(
                        LockValidate.newBuilder().setLockId(grant.getLockId()).setFencingToken(grant.getFencingToken()))
                .build();
        return client.readAsync(STATE_MACHINE, query.toByteArray())
                .thenApply(bytes -> parse(LockValidity.parser(), bytes).getValid()
                        ? remembered
                        : LockResult.newBuilder()
                                .setOutcome(LockOutcome.LOCK_OUTCOME_LEASE_EXPIRED)
                                .setMessage("the lock was granted while this service could not hear from the cluster,"
                                        + " and the lease ended before the grant could be reported")
                                .build());
    }

    public LockDeadlocks deadlocks() {
        return read(
                LockQuery.newBuilder()
                        .setDeadlocks(LockDeadlocksQuery.getDefaultInstance())
                        .build(),
                LockDeadlocks.parser());
    }

    public CompletableFuture<LockRequestStatuses> statuses(Collection<String> requestIds) {
        LockQuery query = LockQuery.newBuilder()
                .setRequestStatus(LockRequestStatusQuery.newBuilder().addAllRequestIds(requestIds))
                .build();
        return client.readAsync(STATE_MACHINE, query.toByteArray())
                .thenApply(bytes -> parse(LockRequestStatuses.parser(), bytes));
    }

    /** Cluster-wide counts, read from whichever node answers: fine for gauges, not for decisions. */
    public CompletableFuture<LockStats> stats() {
        LockQuery query = LockQuery.newBuilder()
                .setStats(LockStatsQuery.getDefaultInstance())
                .build();
        return client.readStaleAsync(STATE_MACHINE, query.toByteArray())
                .thenApply(bytes -> parse(LockStats.parser(), bytes));
    }

    /** Follows the lock events; see {@link ConsensusClient#events} for what a reconnect means. */
    public Subscription events(Consumer<LockEvent> listener, Runnable onReconnect) {
        return client.events(
                Set.of(STATE_MACHINE),
                event -> listener.accept(
                        parse(LockEvent.parser(), event.getPayload().toByteArray())),
                onReconnect);
    }

    private <T extends Message> T read(LockQuery query, Parser<T> parser) {
        return parse(parser, client.read(STATE_MACHINE, query.toByteArray()));
    }

    private static <T extends Message> T parse(Parser<T> parser, byte[] bytes) {
        try {
            return parser.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the consensus cluster answered with a malformed lock message", e);
        }
    }
}
