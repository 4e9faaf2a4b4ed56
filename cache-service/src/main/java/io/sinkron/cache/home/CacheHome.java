package io.sinkron.cache.home;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.cache.near.LineState;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusException;
import io.sinkron.client.KeyedBatching;
import io.sinkron.client.Subscription;
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
import io.sinkron.proto.CacheLineState;
import io.sinkron.proto.CacheQuery;
import io.sinkron.proto.CacheQueryResult;
import io.sinkron.proto.CacheRegister;
import io.sinkron.proto.CacheResult;
import io.sinkron.proto.CacheSessionResult;
import io.sinkron.proto.CacheValue;
import io.sinkron.proto.CacheWrite;
import io.sinkron.proto.CacheWriteBatch;
import io.sinkron.proto.CacheWriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed client of the consensus cluster's "cache" state machine, the home of every key: turns
 * calls into replicated commands and linearizable queries and decodes their answers. Failures to
 * reach the cluster surface as {@link ConsensusException}.
 */
public final class CacheHome {

    public static final String STATE_MACHINE = "cache";

    private static final Logger log = LoggerFactory.getLogger(CacheHome.class);

    /** Most writes one command carries. */
    static final int MAX_WRITES_PER_COMMAND = 256;

    /**
     * Most bytes of keys and values one command carries (a single larger value goes alone): well
     * inside gRPC's default 4 MiB message with one value of the 1 MiB default limit.
     */
    static final long MAX_WRITE_BYTES_PER_COMMAND = 2L << 20;

    private final ConsensusClient client;
    private final Duration requestTimeout;
    private final KeyedBatching<CacheWrite, CacheResult> writes;

    /**
     * @param requestTimeout how long a call may take, retries included, unless it says otherwise
     * @param writeCommandsInFlight how many write commands may be on their way at once; writes
     *     arriving meanwhile go together in the next one, a {@code CacheWriteBatch} of at most one
     *     write per key, since the home gives every write of a command the command's log index as
     *     its version (see {@link KeyedBatching})
     */
    public CacheHome(ConsensusClient client, Duration requestTimeout, int writeCommandsInFlight) {
        this.client = client;
        this.requestTimeout = requestTimeout;
        this.writes = writeBatching(
                this::submitAsync, writeCommandsInFlight, MAX_WRITES_PER_COMMAND, MAX_WRITE_BYTES_PER_COMMAND);
    }

    /**
     * Writes as {@code home} receives them: a lone one as a {@code CacheWrite}, several as a
     * {@code CacheWriteBatch} of different keys; anything but a batch result to a batch is a refusal
     * of the whole command.
     */
    static KeyedBatching<CacheWrite, CacheResult> writeBatching(
            Function<CacheCommand, CompletableFuture<CacheResult>> home, int inFlight, int maxItems, long maxBytes) {
        return new KeyedBatching<>(
                new KeyedBatching.Form<>() {
                    @Override
                    public CompletableFuture<CacheResult> one(CacheWrite write) {
                        return home.apply(
                                CacheCommand.newBuilder().setWrite(write).build());
                    }

                    @Override
                    public CompletableFuture<List<CacheResult>> batch(List<CacheWrite> writes) {
                        return home.apply(CacheCommand.newBuilder()
                                        .setWriteBatch(
                                                CacheWriteBatch.newBuilder().addAllWrites(writes))
                                        .build())
                                .thenApply(result -> result.hasWriteBatch()
                                        ? result.getWriteBatch().getResultsList()
                                        : null);
                    }
                },
                CacheWrite::getKey,
                write -> write.getValue().size() + write.getKey().length(),
                inFlight,
                maxItems,
                maxBytes);
    }

    private CompletableFuture<CacheResult> submitAsync(CacheCommand command) {
        return client.submitAsync(STATE_MACHINE, command.toByteArray(), requestTimeout)
                .thenApply(CacheHome::parse);
    }

    /** Opens a session with {@code lease}, ending {@code replaces} (0: none) if it was this instance's. */
    public long register(String instanceId, Duration lease, long replaces, Duration deadline) {
        CacheResult result = submit(
                CacheCommand.newBuilder()
                        .setRegister(CacheRegister.newBuilder()
                                .setInstanceId(instanceId)
                                .setLeaseMs(lease.toMillis())
                                .setReplacesSession(replaces))
                        .build(),
                deadline);
        return result.getSession().getSession();
    }

    public SessionStatus keepAlive(long session, Duration deadline) {
        CacheSessionResult result = submit(
                        CacheCommand.newBuilder()
                                .setKeepAlive(CacheKeepAlive.newBuilder().setSession(session))
                                .build(),
                        deadline)
                .getSession();
        return new SessionStatus(
                result.getAlive(),
                result.getOwedList().stream()
                        .map(owed -> new KeyVersion(owed.getKey(), owed.getVersion()))
                        .toList());
    }

    public void deregister(long session, Duration deadline) {
        submit(
                CacheCommand.newBuilder()
                        .setDeregister(CacheDeregister.newBuilder().setSession(session))
                        .build(),
                deadline);
    }

    /** A read miss: the committed value, registering {@code session} as a holder if it may cache it. */
    public Fill fill(long session, long epoch, String key) {
        CacheFillResult fill = submit(CacheCommand.newBuilder()
                        .setFill(CacheFill.newBuilder()
                                .setSession(session)
                                .setEpoch(epoch)
                                .setKey(key))
                        .build())
                .getFill();
        return new Fill(
                fill.getFound(),
                fill.getValue().toByteArray(),
                fill.getVersion(),
                fill.getCacheable(),
                lineState(fill.getState()));
    }

    public WriteOutcome write(WriteRequest request) {
        var write = CacheWrite.newBuilder()
                .setSession(request.session())
                .setEpoch(request.epoch())
                .setKey(request.key())
                .setDelete(request.delete());
        if (!request.delete()) {
            write.setValue(ByteString.copyFrom(request.value())).setTtlMs(request.ttlMillis());
        }
        switch (request.precondition()) {
            case Precondition.None none -> {}
            case Precondition.Version version -> write.setExpectedVersion(version.version());
            case Precondition.Exists exists -> write.setRequireExists(true);
        }
        CacheWriteResult result = check(await(writes.submit(write.build()))).getWrite();
        return switch (result.getOutcome()) {
            case CACHE_WRITE_OUTCOME_APPLIED -> new WriteOutcome.Applied(result.getVersion());
            case CACHE_WRITE_OUTCOME_PENDING -> new WriteOutcome.Pending(result.getVersion(), result.getAwaitingList());
            case CACHE_WRITE_OUTCOME_VERSION_MISMATCH -> new WriteOutcome.VersionMismatch(result.getVersion());
            case CACHE_WRITE_OUTCOME_NOT_FOUND -> new WriteOutcome.NotFound();
            case CACHE_WRITE_OUTCOME_BUSY -> new WriteOutcome.Busy(result.getVersion());
            case CACHE_WRITE_OUTCOME_UNSPECIFIED, UNRECOGNIZED ->
                throw new IllegalStateException("the home answered a write with " + result);
        };
    }

    /** Writes waiting to be sent plus write commands on their way; 0 when no write is in progress. */
    public int writesInProgress() {
        return writes.pending();
    }

    /** Tells the home, without waiting, that the session dropped its lines for these writes. */
    public CompletableFuture<byte[]> acknowledge(long session, List<KeyVersion> invalidations) {
        var ack = CacheAck.newBuilder().setSession(session);
        invalidations.forEach(invalidation -> ack.addInvalidations(
                CacheKeyVersion.newBuilder().setKey(invalidation.key()).setVersion(invalidation.version())));
        return inBackground("acknowledge", CacheCommand.newBuilder().setAck(ack).build());
    }

    /** Tells the home, without waiting, that the session evicted these lines (key to epoch). */
    public CompletableFuture<byte[]> evict(long session, Map<String, Long> lines) {
        var evict = CacheEvict.newBuilder().setSession(session);
        lines.forEach((key, epoch) ->
                evict.addLines(CacheLineRef.newBuilder().setKey(key).setEpoch(epoch)));
        return inBackground("evict", CacheCommand.newBuilder().setEvict(evict).build());
    }

    /** The committed value, by a linearizable read that registers nobody. */
    public StoredValue get(String key) {
        CacheValue value = query(CacheQuery.newBuilder().setGet(key).build()).getValue();
        return new StoredValue(value.getFound(), value.getValue().toByteArray(), value.getVersion());
    }

    public DirectoryEntry directory(String key) {
        CacheDirectory directory =
                query(CacheQuery.newBuilder().setDirectory(key).build()).getDirectory();
        return new DirectoryEntry(
                directory.getFound(),
                directory.getVersion(),
                directory.getHoldersList().stream()
                        .map(holder -> new DirectoryEntry.Holder(
                                holder.getSession(), holder.getInstanceId(), lineState(holder.getState())))
                        .toList(),
                directory.getPendingVersion());
    }

    /** Whether write {@code version} of {@code key} is no longer pending. */
    public boolean writeApplied(String key, long version) {
        return query(CacheQuery.newBuilder()
                        .setWriteStatus(CacheKeyVersion.newBuilder().setKey(key).setVersion(version))
                        .build())
                .getWriteApplied();
    }

    /** Follows the directory's events; see {@link ConsensusClient#events} for delivery guarantees. */
    public Subscription events(Consumer<CacheEvent> listener, Runnable onReconnect) {
        return client.events(
                Set.of(STATE_MACHINE),
                event -> {
                    try {
                        listener.accept(CacheEvent.parseFrom(event.getPayload()));
                    } catch (InvalidProtocolBufferException e) {
                        log.warn("ignoring malformed cache event at index {}", event.getIndex(), e);
                    }
                },
                onReconnect);
    }

    private CacheResult submit(CacheCommand command) {
        return submit(command, requestTimeout);
    }

    private CacheResult submit(CacheCommand command, Duration deadline) {
        return decode(client.submit(STATE_MACHINE, command.toByteArray(), deadline));
    }

    private CompletableFuture<byte[]> inBackground(String what, CacheCommand command) {
        return client.submitAsync(STATE_MACHINE, command.toByteArray(), requestTimeout)
                .whenComplete((result, error) -> {
                    if (error != null) {
                        // Harmless: the home asks again at the next keepalive, or the lease runs out.
                        log.debug("could not {} at the home: {}", what, error.toString());
                    }
                });
    }

    private CacheQueryResult query(CacheQuery query) {
        try {
            CacheQueryResult result =
                    CacheQueryResult.parseFrom(client.read(STATE_MACHINE, query.toByteArray(), requestTimeout));
            if (result.hasError()) {
                throw new IllegalStateException("the home refused a query: " + result.getError());
            }
            return result;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the home answered a query with malformed bytes", e);
        }
    }

    private static CacheResult decode(byte[] bytes) {
        return check(parse(bytes));
    }

    private static CacheResult parse(byte[] bytes) {
        try {
            return CacheResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the home answered a command with malformed bytes", e);
        }
    }

    private static CacheResult check(CacheResult result) {
        if (result.hasError()) {
            throw new IllegalStateException("the home refused a command: " + result.getError());
        }
        return result;
    }

    /**
     * Waits for a write's result as {@link ConsensusClient#submit} waits for a command's. An
     * interrupted writer stops waiting but does not cancel the command, which may carry others'
     * writes; its outcome is unknown, as for any interrupted call.
     */
    private static CacheResult await(CompletableFuture<CacheResult> result) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsensusException(
                    ConsensusException.Reason.INTERRUPTED, "interrupted while waiting for a write");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("write failed", e.getCause());
        }
    }

    /** The MESI state of a line as the home encodes it. */
    public static LineState lineState(CacheLineState state) {
        return switch (state) {
            case CACHE_LINE_STATE_MODIFIED -> LineState.MODIFIED;
            case CACHE_LINE_STATE_EXCLUSIVE -> LineState.EXCLUSIVE;
            case CACHE_LINE_STATE_SHARED -> LineState.SHARED;
            case CACHE_LINE_STATE_INVALID, UNRECOGNIZED -> LineState.INVALID;
        };
    }
}
