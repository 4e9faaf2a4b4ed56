package io.sinkron.consensus.node;

import com.google.protobuf.ByteString;
import io.sinkron.consensus.raft.ConfChange;
import io.sinkron.consensus.raft.ConfChangeResult;
import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.EntryType;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.Message;
import io.sinkron.consensus.raft.Raft;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.ReadState;
import io.sinkron.consensus.raft.Ready;
import io.sinkron.consensus.raft.Refusal;
import io.sinkron.consensus.raft.Role;
import io.sinkron.consensus.raft.SnapshotMeta;
import io.sinkron.consensus.raft.SoftState;
import io.sinkron.consensus.statemachine.AppliedCommand;
import io.sinkron.consensus.statemachine.EventSink;
import io.sinkron.consensus.statemachine.StateMachine;
import io.sinkron.consensus.statemachine.StateMachineRegistry;
import io.sinkron.proto.AdminCode;
import io.sinkron.proto.AdminResponse;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.LeaderHint;
import io.sinkron.proto.LogCommand;
import io.sinkron.proto.ReadConsistency;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ReadResponse;
import io.sinkron.proto.ResultCode;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Raft group: the loop of etcd-io/raft's README on one thread, with the disk writes on
 * another (etcd-io/raft's asynchronous storage writes).
 *
 * <pre>
 *   take every input that arrived (peer messages, proposals, reads, the clock's tick, and the
 *   log writer's reports that writes are durable)
 *   while the core has a Ready:
 *     send the leader's appends and snapshots
 *     hand hard state and entries to the log writer, with the messages that wait for them
 *     apply committed entries; answer reads
 *     advanceApplied
 * </pre>
 *
 * The {@link LogWriter} appends and fsyncs while this thread goes on taking proposals and
 * acknowledgements; writes that queue up during an fsync share the next one (group commit). Votes
 * and append acknowledgements leave only once durable, and the leader counts its own entries
 * toward commitment only when the writer reports them durable ({@link Raft#persisted}). The core
 * and the state machines are touched by this thread only; other threads enqueue work and wait on
 * futures.
 */
public final class RaftDriver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RaftDriver.class);
    private static final int MAX_PENDING = 100_000;

    /** Tuning of the driver around the core. */
    /**
     * @param clockInterval how often a leader writes a clock entry into an otherwise idle log, so
     *     that leases and TTLs in the state machines expire without client traffic
     */
    public record Settings(
            String groupId,
            RaftConfig raft,
            Duration tick,
            Duration defaultTimeout,
            Duration clockInterval,
            SnapshotPolicy snapshots) {

        public Settings(
                String groupId, RaftConfig raft, Duration tick, Duration defaultTimeout, Duration clockInterval) {
            this(groupId, raft, tick, defaultTimeout, clockInterval, SnapshotPolicy.DEFAULT);
        }
    }

    /**
     * When to snapshot: after {@code entries} applied entries or {@code logBytes} of log since the
     * last snapshot; {@code keepEntries} entries stay in the log behind a snapshot so a follower
     * that is only a little behind catches up from the log rather than from a snapshot.
     */
    public record SnapshotPolicy(long entries, long logBytes, long keepEntries) {

        public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(100_000, 256L << 20, 10_000);
    }

    /**
     * The most CPU time per wall-clock time the snapshot writer takes while it serializes, so that
     * the apply path keeps most of a small machine's cores during a snapshot.
     */
    static final double WRITER_CPU_SHARE = 0.5;

    private record PendingAdmin(long term, long deadlineNanos, CompletableFuture<AdminResponse> future) {}

    private record PendingTransfer(
            String target, long term, long startNanos, long deadlineNanos, CompletableFuture<AdminResponse> future) {}

    private record PendingProposal(long term, long deadlineNanos, CompletableFuture<CommandResponse> future) {}

    private record PendingRead(
            String stateMachine, byte[] query, long deadlineNanos, CompletableFuture<ReadResponse> future) {}

    private final Settings settings;
    private final Raft raft;
    private final RaftStorage storage;
    private final StateMachineRegistry machines;
    private final PeerTransport transport;
    private final Clock clock;
    private final EventSink events;
    private final DriverListener listener;

    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final LogWriter writer;
    /** Writes handed to the writer and not yet reported durable; touched by the driver thread. */
    private int writesInFlight;

    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean closed;
    private volatile String stoppedBy;

    private final Map<Long, PendingProposal> proposals = new HashMap<>();
    private final Map<Long, PendingRead> reads = new HashMap<>();
    private final TreeMap<Long, List<PendingRead>> readsAwaitingApply = new TreeMap<>();
    private long readContext;
    private long lastTimestampMillis;
    private long appliedIndex;
    private final long commitAtStart;

    private SnapshotFile latestSnapshot;
    private long snapshotIndex;
    private long logBytesSinceSnapshot;
    private boolean snapshotInProgress;
    private final List<CompletableFuture<SnapshotFile>> snapshotWaiters = new ArrayList<>();
    private final Map<String, Path> stagedSnapshots = new HashMap<>();
    private final Set<String> snapshotsInFlight = new HashSet<>();
    private final ExecutorService snapshotWriter;
    private final Map<Long, PendingAdmin> membershipChanges = new HashMap<>();
    private PendingTransfer pendingTransfer;
    private SoftState softState;
    private Membership publishedMembership;

    private volatile NodeStatus status;
    private volatile int pendingProposals;

    public RaftDriver(
            Settings settings,
            RaftStorage storage,
            Membership bootstrap,
            StateMachineRegistry machines,
            PeerTransport transport,
            Clock clock,
            RandomGenerator random,
            EventSink events,
            DriverListener listener) {
        this.settings = settings;
        this.storage = storage;
        this.machines = machines;
        this.transport = transport;
        this.clock = clock;
        this.events = events;
        this.listener = listener;
        SnapshotMeta snapshot = SnapshotMeta.NONE;
        if (storage.initialSnapshot().isPresent()) {
            SnapshotFile file = storage.initialSnapshot().get();
            try {
                restoreMachines(storage.readSnapshot(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot restore snapshot " + file.file(), e);
            }
            snapshot = file.meta();
            latestSnapshot = file;
            snapshotIndex = snapshot.index();
            appliedIndex = snapshot.index();
        }
        this.raft = new Raft(
                settings.raft(), storage.initialHardState(), snapshot, storage.initialEntries(), bootstrap, random);
        this.commitAtStart = raft.commitIndex();
        // Below the driver's priority: serializing a snapshot must not take the CPU from applying.
        this.snapshotWriter = Executors.newSingleThreadExecutor(Thread.ofPlatform()
                .name("snapshot-writer-" + settings.groupId())
                .daemon(true)
                .priority(Thread.MIN_PRIORITY)
                .factory());
        this.softState = new SoftState(raft.role(), raft.leaderId(), raft.term());
        transport.updateAddresses(raft.membership().addresses());
        publishStatus();
        this.writer = new LogWriter(
                settings.groupId(),
                storage,
                transport,
                listener,
                e -> inbox.add(() -> {
                    throw new UncheckedIOException(e);
                }));
        this.thread = Thread.ofPlatform()
                .name("raft-driver-" + settings.groupId())
                .daemon(false)
                .unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    public String groupId() {
        return settings.groupId();
    }

    public NodeStatus status() {
        return status;
    }

    /**
     * Why this group stopped on its own, if it did: a storage failure, or its loop ending on an
     * unexpected error. Such a group never recovers in this process (liveness reports it so the
     * node is restarted). Empty while it runs, before it starts and after {@link #close()}.
     */
    public Optional<String> stoppedBy() {
        if (stoppedBy != null) {
            return Optional.of(stoppedBy);
        }
        if (!closed && thread.getState() == Thread.State.TERMINATED) {
            return Optional.of("the Raft loop of group " + settings.groupId() + " ended unexpectedly");
        }
        return Optional.empty();
    }

    /** Commands proposed by this node and not yet answered. */
    public int pendingProposals() {
        return pendingProposals;
    }

    // ---- inputs from other threads -----------------------------------------------------------

    /** Hands a peer's message to the core. */
    public void receive(Message message) {
        inbox.add(() -> raft.step(message));
    }

    /** A snapshot from the leader arrived whole in {@code file}; the core decides whether to install it. */
    public void receiveSnapshot(Message.SnapshotRequest message, Path file) {
        inbox.add(() -> {
            stagedSnapshots.put(key(message.snapshot()), file);
            raft.step(message);
        });
    }

    private static String key(SnapshotMeta meta) {
        return meta.index() + ":" + meta.term();
    }

    /** Where the transport stages incoming snapshots. */
    public Path incomingSnapshots() {
        return storage.incomingSnapshots();
    }

    /**
     * Proposes a membership change; completes once the configuration entry is applied here, or
     * with the reason it was refused.
     */
    public CompletableFuture<AdminResponse> changeMembership(ConfChange change, long timeoutMs) {
        var future = new CompletableFuture<AdminResponse>();
        long deadline = deadlineNanos(timeoutMs);
        inbox.add(() -> {
            ConfChangeResult r = raft.proposeConfChange(change);
            if (!r.accepted()) {
                future.complete(refused(r.refusal()));
                return;
            }
            membershipChanges.put(r.index(), new PendingAdmin(raft.term(), deadline, future));
        });
        return future;
    }

    /**
     * Hands leadership to {@code target} (null: the most caught-up voter); completes when another
     * node leads, or with the reason it could not.
     */
    public CompletableFuture<AdminResponse> transferLeadership(String target, long timeoutMs) {
        var future = new CompletableFuture<AdminResponse>();
        long deadline = deadlineNanos(timeoutMs);
        inbox.add(() -> {
            Refusal refusal = raft.transferLeadership(target);
            if (refusal != null) {
                future.complete(refused(refusal));
                return;
            }
            pendingTransfer =
                    new PendingTransfer(raft.leadTransferee(), raft.term(), System.nanoTime(), deadline, future);
            log.info("leadership transfer to {} started in term {}", raft.leadTransferee(), raft.term());
        });
        return future;
    }

    /** Takes a snapshot now (or joins the one being written) and compacts the log behind it. */
    public CompletableFuture<SnapshotFile> takeSnapshot() {
        var future = new CompletableFuture<SnapshotFile>();
        inbox.add(() -> {
            if (!snapshotInProgress && appliedIndex == snapshotIndex && latestSnapshot != null) {
                future.complete(latestSnapshot);
                return;
            }
            snapshotWaiters.add(future);
            if (!snapshotInProgress) {
                startSnapshot();
            }
        });
        return future;
    }

    /**
     * Replicates a client command. Completes with OK and the state machine's result once the
     * command is applied, NOT_LEADER (with a hint) when this node does not lead, TIMEOUT when the
     * deadline passes first (the command may still commit: retry with the same sequence), or
     * UNAVAILABLE when leadership was lost while it was pending.
     */
    public CompletableFuture<CommandResponse> submit(CommandRequest request) {
        var future = new CompletableFuture<CommandResponse>();
        String invalid = validate(request);
        if (invalid != null) {
            future.complete(CommandResponse.newBuilder()
                    .setCode(ResultCode.RESULT_CODE_INVALID)
                    .setMessage(invalid)
                    .build());
            return future;
        }
        long deadline = deadlineNanos(request.getTimeoutMs());
        inbox.add(() -> propose(request, deadline, future));
        return future;
    }

    private String validate(CommandRequest r) {
        if (r.getClientId().isEmpty()) {
            return "client_id is required";
        }
        if (r.getSequence() == 0) {
            return "sequence must be positive";
        }
        if (r.getAckedSequence() >= r.getSequence()) {
            return "acked_sequence must be below sequence";
        }
        if (!machines.has(r.getStateMachine())) {
            return "unknown state machine '" + r.getStateMachine() + "'";
        }
        return null;
    }

    private void propose(CommandRequest request, long deadline, CompletableFuture<CommandResponse> future) {
        if (raft.role() != Role.LEADER) {
            future.complete(notLeader());
            return;
        }
        if (proposals.size() >= MAX_PENDING) {
            future.complete(unavailable("too many commands pending; retry later"));
            return;
        }
        // The leader's clock, made monotonic along the log, is the only time state machines see.
        lastTimestampMillis = Math.max(lastTimestampMillis, clock.millis());
        var command = LogCommand.newBuilder()
                .setClientId(request.getClientId())
                .setSequence(request.getSequence())
                .setAckedSequence(request.getAckedSequence())
                .setStateMachine(request.getStateMachine())
                .setPayload(request.getPayload())
                .setTimestampMillis(lastTimestampMillis)
                .build();
        long index = raft.propose(EntryType.COMMAND, command.toByteArray());
        if (index < 0) {
            future.complete(notLeader());
            return;
        }
        proposals.put(index, new PendingProposal(raft.term(), deadline, future));
    }

    private void maybeWriteClock() {
        if (raft.role() != Role.LEADER
                || clock.millis() - lastTimestampMillis
                        < settings.clockInterval().toMillis()) {
            return;
        }
        lastTimestampMillis = Math.max(lastTimestampMillis, clock.millis());
        var command = LogCommand.newBuilder()
                .setStateMachine(StateMachineRegistry.CLOCK)
                .setTimestampMillis(lastTimestampMillis)
                .build();
        raft.propose(EntryType.COMMAND, command.toByteArray());
    }

    /** Serves a read: linearizable through ReadIndex on the leader, or stale from this replica. */
    public CompletableFuture<ReadResponse> read(ReadRequest request) {
        var future = new CompletableFuture<ReadResponse>();
        if (!machines.has(request.getStateMachine())) {
            future.complete(ReadResponse.newBuilder()
                    .setCode(ResultCode.RESULT_CODE_INVALID)
                    .setMessage("unknown state machine '" + request.getStateMachine() + "'")
                    .build());
            return future;
        }
        long deadline = deadlineNanos(request.getTimeoutMs());
        var pending =
                new PendingRead(request.getStateMachine(), request.getQuery().toByteArray(), deadline, future);
        inbox.add(() -> {
            if (request.getConsistency() == ReadConsistency.READ_CONSISTENCY_STALE) {
                serve(pending);
                return;
            }
            long ctx = ++readContext;
            if (!raft.readIndex(ctx)) {
                future.complete(readNotLeader());
                return;
            }
            reads.put(ctx, pending);
        });
        return future;
    }

    private long deadlineNanos(long timeoutMs) {
        long ms = timeoutMs > 0 ? timeoutMs : settings.defaultTimeout().toMillis();
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    }

    // ---- the loop ----------------------------------------------------------------------------

    private void run() {
        long tickNanos = settings.tick().toNanos();
        long nextTick = System.nanoTime() + tickNanos;
        int ticks = 0;
        while (running) {
            try {
                long wait = nextTick - System.nanoTime();
                Runnable input = wait > 0 ? inbox.poll(wait, TimeUnit.NANOSECONDS) : inbox.poll();
                int drained = 0;
                while (input != null) {
                    input.run();
                    input = ++drained < 10_000 ? inbox.poll() : null;
                }
                long now = System.nanoTime();
                if (now >= nextTick) {
                    raft.tick();
                    maybeWriteClock();
                    promoteCaughtUpLearners();
                    nextTick = Math.max(nextTick + tickNanos, now);
                    if (++ticks % 10 == 0) {
                        expireDeadlines(now);
                    }
                }
                while (raft.hasReady()) {
                    handleReady(raft.ready());
                }
                checkTransfer();
                publishStatus();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | UncheckedIOException e) {
                // A node that cannot write its log must not answer as if it had: stop it.
                log.error("storage failure, stopping the Raft group {}", settings.groupId(), e);
                stoppedBy = "storage failure: " + e;
                running = false;
            }
        }
    }

    private void handleReady(Ready rd) throws IOException {
        var afterWrite = new ArrayList<Message>();
        for (Message m : rd.messages()) {
            if (Ready.isSendableBeforePersist(m)) {
                transport.send(settings.groupId(), m);
            } else if (m instanceof Message.SnapshotRequest sr) {
                sendSnapshot(sr);
            } else {
                afterWrite.add(m);
            }
        }
        if (rd.snapshot() != null) {
            installSnapshot(rd.snapshot());
        }
        persist(rd, afterWrite);
        for (Entry e : rd.committedEntries()) {
            apply(e);
        }
        for (ReadState rs : rd.readStates()) {
            PendingRead pending = reads.remove(rs.context());
            if (pending == null) {
                continue;
            }
            if (appliedIndex >= rs.index()) {
                serve(pending);
            } else {
                readsAwaitingApply
                        .computeIfAbsent(rs.index(), i -> new ArrayList<>())
                        .add(pending);
            }
        }
        raft.advanceApplied(rd);
        maybeSnapshot();
        if (!rd.softState().equals(softState)) {
            onSoftState(softState, rd.softState());
            softState = rd.softState();
        }
        if (!raft.membership().equals(publishedMembership)) {
            publishedMembership = raft.membership();
            var addresses = new TreeMap<>(publishedMembership.voters());
            addresses.putAll(publishedMembership.learners());
            transport.updateAddresses(addresses);
        }
    }

    /**
     * Hands the Ready's hard state and entries to the writer, with the messages that promise their
     * durability. Messages of a Ready without writes still wait behind earlier writes in flight: an
     * acknowledgement may cover entries an earlier Ready handed over.
     */
    private void persist(Ready rd, List<Message> afterWrite) {
        boolean writes = rd.hardState() != null || !rd.entries().isEmpty();
        if (!writes && (afterWrite.isEmpty() || writesInFlight == 0)) {
            afterWrite.forEach(m -> transport.send(settings.groupId(), m));
            return;
        }
        writesInFlight++;
        Runnable onDurable;
        if (rd.entries().isEmpty()) {
            onDurable = () -> inbox.add(() -> writesInFlight--);
        } else {
            for (Entry e : rd.entries()) {
                logBytesSinceSnapshot += e.sizeBytes();
            }
            Entry last = rd.entries().getLast();
            long generation = rd.generation();
            onDurable = () -> inbox.add(() -> {
                writesInFlight--;
                raft.persisted(last.index(), last.term(), generation);
            });
        }
        writer.write(new LogWriter.Write(rd.hardState(), rd.entries(), afterWrite, onDurable));
    }

    private void apply(Entry e) {
        AppliedCommand result = null;
        if (e.type() == EntryType.COMMAND) {
            result = machines.apply(e.index(), e.data(), events);
        }
        appliedIndex = e.index();
        if (e.type() == EntryType.CONFIG) {
            listener.onMembershipChange();
            PendingAdmin change = membershipChanges.remove(e.index());
            if (change != null) {
                change.future()
                        .complete(
                                change.term() == e.term()
                                        ? AdminResponse.newBuilder()
                                                .setCode(AdminCode.ADMIN_CODE_OK)
                                                .setIndex(e.index())
                                                .setMessage("configuration applied")
                                                .build()
                                        : adminUnavailable("leadership changed before the change committed; retry"));
            }
        }
        PendingProposal pending = proposals.remove(e.index());
        if (pending != null) {
            if (pending.term() == e.term() && result != null) {
                listener.onProposalCommitted();
                pending.future()
                        .complete(CommandResponse.newBuilder()
                                .setCode(result.code())
                                .setResult(ByteString.copyFrom(result.result()))
                                .setMessage(result.message())
                                .setIndex(e.index())
                                .build());
            } else {
                // Another leader's entry took this index, so ours never commits (Log Matching).
                listener.onProposalFailed();
                pending.future().complete(unavailable("leadership changed before the command committed; retry"));
            }
        }
        while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.firstKey() <= appliedIndex) {
            readsAwaitingApply.pollFirstEntry().getValue().forEach(this::serve);
        }
    }

    // ---- snapshots ---------------------------------------------------------------------------

    /**
     * Snapshots when the log since the last snapshot is long enough. Each member has its own grid of
     * snapshot indexes, shifted by its rank among the members, and its own share of extra log bytes,
     * so that the members of a cluster, which apply the same entries at about the same time, do not
     * all write a snapshot at once.
     */
    private void maybeSnapshot() {
        var policy = settings.snapshots();
        if (snapshotInProgress || appliedIndex <= snapshotIndex) {
            return;
        }
        long entries = Math.max(1, policy.entries());
        if (appliedIndex - snapshotIndex < entries / 2 && logBytesSinceSnapshot < policy.logBytes()) {
            return;
        }
        var members = new ArrayList<>(raft.membership().members());
        int count = Math.max(1, members.size());
        int rank = Math.max(0, members.indexOf(raft.id()));
        if (appliedIndex >= nextSnapshotAt(snapshotIndex, entries, rank, count)
                || logBytesSinceSnapshot >= policy.logBytes() + policy.logBytes() / 2 * rank / count) {
            startSnapshot();
        }
    }

    /**
     * The first index at least half of {@code entries} after {@code snapshotIndex} on the grid of
     * member {@code rank} of {@code members}: indexes {@code phase + k * entries}, where the phase
     * spreads the members evenly over one period. Member 0 snapshots every {@code entries} entries
     * from index 0; the others between half and one and a half periods after their last snapshot.
     */
    static long nextSnapshotAt(long snapshotIndex, long entries, int rank, int members) {
        long phase = entries * rank / members;
        long earliest = snapshotIndex + Math.max(1, entries / 2);
        return Math.floorDiv(earliest - phase + entries - 1, entries) * entries + phase;
    }

    /**
     * Captures the state machines on this thread (they are only consistent here, between two
     * applies; the pause is measured and exported), then serializes and writes the file on a
     * background thread while applying goes on.
     */
    private void startSnapshot() {
        if (appliedIndex == 0) {
            snapshotWaiters.forEach(w -> w.completeExceptionally(new IllegalStateException("nothing applied yet")));
            snapshotWaiters.clear();
            return;
        }
        long t0 = System.nanoTime();
        StateMachine.SnapshotWriter captured;
        try {
            captured = machines.captureSnapshot();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long pauseNanos = System.nanoTime() - t0;
        var meta = new SnapshotMeta(appliedIndex, raft.termAt(appliedIndex), raft.membershipAt(appliedIndex));
        snapshotInProgress = true;
        logBytesSinceSnapshot = 0;
        snapshotWriter.execute(() -> {
            try {
                SnapshotFile file = storage.saveSnapshot(
                        meta, out -> captured.writeTo(new DataOutputStream(new PacedOutput(out, WRITER_CPU_SHARE))));
                long totalNanos = System.nanoTime() - t0;
                inbox.add(() -> onSnapshotSaved(file, pauseNanos, totalNanos));
            } catch (IOException e) {
                inbox.add(() -> onSnapshotFailed(e));
            } catch (RuntimeException e) {
                // A writer that throws (a replica that failed to replay) must not leave the driver
                // believing a snapshot is still in progress: later snapshots would never start.
                inbox.add(() -> onSnapshotFailed(new IOException("writing the snapshot failed", e)));
            }
        });
    }

    private void onSnapshotSaved(SnapshotFile file, long pauseNanos, long totalNanos) {
        snapshotInProgress = false;
        if (latestSnapshot != null
                && file.meta().index() <= latestSnapshot.meta().index()) {
            // A leader's snapshot installed while this one was written is at least as new: keep it.
            log.info(
                    "snapshot at index {} finished after the newer snapshot at {} was installed; not used",
                    file.meta().index(),
                    latestSnapshot.meta().index());
            SnapshotFile newest = latestSnapshot;
            snapshotWaiters.forEach(w -> w.complete(newest));
            snapshotWaiters.clear();
            return;
        }
        latestSnapshot = file;
        snapshotIndex = file.meta().index();
        raft.snapshotTaken(file.meta());
        long compactTo = Math.max(
                raft.snapshotIndex(), file.meta().index() - settings.snapshots().keepEntries());
        raft.compact(compactTo);
        writer.run(s -> s.compactLog(compactTo));
        listener.onSnapshot(file.sizeBytes(), pauseNanos, totalNanos);
        log.info(
                "snapshot at index {} ({} bytes, apply paused {} ms, {} ms in all); log compacted to {}",
                file.meta().index(),
                file.sizeBytes(),
                pauseNanos / 1_000_000,
                totalNanos / 1_000_000,
                compactTo);
        snapshotWaiters.forEach(w -> w.complete(file));
        snapshotWaiters.clear();
    }

    private void onSnapshotFailed(IOException e) {
        snapshotInProgress = false;
        log.error("writing a snapshot failed; the log is not compacted", e);
        snapshotWaiters.forEach(w -> w.completeExceptionally(e));
        snapshotWaiters.clear();
    }

    /** The follower side: the core accepted a leader's snapshot that replaces our log. */
    private void installSnapshot(SnapshotMeta meta) throws IOException {
        Path staged = stagedSnapshots.remove(key(meta));
        if (staged == null) {
            throw new IllegalStateException("the core installs snapshot " + key(meta) + " that was never received");
        }
        SnapshotFile file = storage.adoptSnapshot(staged);
        restoreMachines(storage.readSnapshot(file));
        // The snapshot is durable before the log is reset: a crash in between leaves a log that
        // does not connect to the snapshot, which the storage discards on restart. The reset runs
        // after the writes handed over before it, and before the entries that follow the snapshot.
        writer.run(RaftStorage::resetLog);
        appliedIndex = meta.index();
        snapshotIndex = meta.index();
        latestSnapshot = file;
        logBytesSinceSnapshot = 0;
        for (var it = stagedSnapshots.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (Long.parseLong(e.getKey().substring(0, e.getKey().indexOf(':'))) <= meta.index()) {
                Files.deleteIfExists(e.getValue());
                it.remove();
            }
        }
        listener.onSnapshotInstalled(file.sizeBytes());
        log.info("installed the leader's snapshot at index {} ({} bytes)", meta.index(), file.sizeBytes());
        while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.firstKey() <= appliedIndex) {
            readsAwaitingApply.pollFirstEntry().getValue().forEach(this::serve);
        }
    }

    private void restoreMachines(byte[] data) {
        try {
            machines.restore(new DataInputStream(new ByteArrayInputStream(data)));
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot data does not match the state machines", e);
        }
    }

    /** Ships the newest snapshot on disk (possibly newer than the one the core named). */
    private void sendSnapshot(Message.SnapshotRequest request) {
        String peer = request.to();
        SnapshotFile file = latestSnapshot;
        if (file == null) {
            raft.reportSnapshot(peer, false);
            return;
        }
        if (!snapshotsInFlight.add(peer)) {
            return;
        }
        var actual = new Message.SnapshotRequest(request.from(), peer, request.term(), file.meta());
        transport.sendSnapshot(
                settings.groupId(),
                actual,
                file.file(),
                delivered -> inbox.add(() -> {
                    snapshotsInFlight.remove(peer);
                    if (delivered) {
                        listener.onSnapshotSent(file.sizeBytes());
                    }
                    raft.reportSnapshot(peer, delivered);
                }));
    }

    // ---- membership and leadership ------------------------------------------------------------

    private void promoteCaughtUpLearners() {
        if (raft.role() != Role.LEADER) {
            return;
        }
        for (String learner : raft.membership().autoPromote()) {
            if (raft.matchIndex(learner) >= raft.commitIndex()) {
                ConfChangeResult r = raft.proposeConfChange(new ConfChange.Promote(learner));
                if (r.accepted()) {
                    log.info("learner {} caught up; promoting it to voter (index {})", learner, r.index());
                }
            }
        }
    }

    private void checkTransfer() {
        if (pendingTransfer == null) {
            return;
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pendingTransfer.startNanos());
        if (raft.role() != Role.LEADER && raft.leaderId() != null) {
            log.info(
                    "leadership transfer to {} done in {} ms: {} leads term {}",
                    pendingTransfer.target(),
                    elapsedMs,
                    raft.leaderId(),
                    raft.term());
            pendingTransfer
                    .future()
                    .complete(AdminResponse.newBuilder()
                            .setCode(AdminCode.ADMIN_CODE_OK)
                            .setNodeId(raft.leaderId())
                            .setLeaderHint(hint())
                            .setMessage("leadership transferred")
                            .build());
            pendingTransfer = null;
        } else if (raft.role() == Role.LEADER && raft.leadTransferee() == null) {
            String message = raft.term() == pendingTransfer.term()
                    ? "the target did not take over within an election timeout; this node still leads"
                    : "the target did not win the election; this node was elected again in term " + raft.term();
            log.warn("leadership transfer to {} failed after {} ms: {}", pendingTransfer.target(), elapsedMs, message);
            pendingTransfer
                    .future()
                    .complete(AdminResponse.newBuilder()
                            .setCode(AdminCode.ADMIN_CODE_TIMEOUT)
                            .setMessage(message)
                            .build());
            pendingTransfer = null;
        }
    }

    private AdminResponse refused(Refusal refusal) {
        AdminCode code = switch (refusal.kind()) {
            case NOT_LEADER ->
                raft.leaderId() == null ? AdminCode.ADMIN_CODE_UNAVAILABLE : AdminCode.ADMIN_CODE_NOT_LEADER;
            case IN_PROGRESS -> AdminCode.ADMIN_CODE_IN_PROGRESS;
            case NOT_FOUND -> AdminCode.ADMIN_CODE_NOT_FOUND;
            case CONFLICT -> AdminCode.ADMIN_CODE_CONFLICT;
            case NOT_READY -> AdminCode.ADMIN_CODE_UNAVAILABLE;
        };
        return AdminResponse.newBuilder()
                .setCode(code)
                .setMessage(refusal.message())
                .setLeaderHint(hint())
                .build();
    }

    private AdminResponse adminUnavailable(String message) {
        return AdminResponse.newBuilder()
                .setCode(AdminCode.ADMIN_CODE_UNAVAILABLE)
                .setMessage(message)
                .setLeaderHint(hint())
                .build();
    }

    private void serve(PendingRead read) {
        byte[] result = machines.get(read.stateMachine()).query(read.query());
        read.future()
                .complete(ReadResponse.newBuilder()
                        .setCode(ResultCode.RESULT_CODE_OK)
                        .setResult(ByteString.copyFrom(result))
                        .setIndex(appliedIndex)
                        .build());
    }

    private void onSoftState(SoftState before, SoftState after) {
        log.info(
                "raft group {}: {} in term {} (leader {}), was {} in term {}",
                settings.groupId(),
                after.role(),
                after.term(),
                after.leaderId(),
                before.role(),
                before.term());
        if (before.role() == Role.LEADER && after.role() != Role.LEADER) {
            // Pending commands may still commit under the next leader; clients retry with the same
            // sequence and the session returns the first result.
            proposals.values().forEach(p -> {
                listener.onProposalFailed();
                p.future().complete(unavailable("leadership lost; retry"));
            });
            proposals.clear();
            reads.values().forEach(r -> r.future().complete(readNotLeader()));
            reads.clear();
            membershipChanges.values().forEach(c -> c.future().complete(adminUnavailable("leadership lost; retry")));
            membershipChanges.clear();
        }
        listener.onSoftState(before, after);
    }

    private void expireDeadlines(long now) {
        for (Iterator<PendingProposal> it = proposals.values().iterator(); it.hasNext(); ) {
            PendingProposal p = it.next();
            if (now - p.deadlineNanos() > 0) {
                it.remove();
                listener.onProposalFailed();
                p.future()
                        .complete(CommandResponse.newBuilder()
                                .setCode(ResultCode.RESULT_CODE_TIMEOUT)
                                .setMessage("not committed before the deadline; it may still commit, retry"
                                        + " with the same sequence to learn the outcome")
                                .build());
            }
        }
        for (Iterator<PendingAdmin> it = membershipChanges.values().iterator(); it.hasNext(); ) {
            PendingAdmin c = it.next();
            if (now - c.deadlineNanos() > 0) {
                it.remove();
                c.future()
                        .complete(AdminResponse.newBuilder()
                                .setCode(AdminCode.ADMIN_CODE_TIMEOUT)
                                .setMessage("the change was not committed before the deadline; it may still commit")
                                .build());
            }
        }
        if (pendingTransfer != null && now - pendingTransfer.deadlineNanos() > 0) {
            // This node stepped down for the transfer but has not heard from any leader since.
            pendingTransfer
                    .future()
                    .complete(AdminResponse.newBuilder()
                            .setCode(AdminCode.ADMIN_CODE_TIMEOUT)
                            .setMessage("this node stepped down, but no new leader was known before the deadline")
                            .build());
            pendingTransfer = null;
        }
        for (Iterator<PendingRead> it = reads.values().iterator(); it.hasNext(); ) {
            PendingRead r = it.next();
            if (now - r.deadlineNanos() > 0) {
                it.remove();
                r.future()
                        .complete(ReadResponse.newBuilder()
                                .setCode(ResultCode.RESULT_CODE_TIMEOUT)
                                .setMessage("leadership not confirmed before the deadline")
                                .build());
            }
        }
    }

    private LeaderHint hint() {
        String leader = raft.leaderId();
        if (leader == null || raft.membership().address(leader) == null) {
            return LeaderHint.getDefaultInstance();
        }
        return LeaderHint.newBuilder()
                .setNodeId(leader)
                .setAddress(raft.membership().address(leader))
                .build();
    }

    private CommandResponse notLeader() {
        boolean known = raft.leaderId() != null;
        return CommandResponse.newBuilder()
                .setCode(known ? ResultCode.RESULT_CODE_NOT_LEADER : ResultCode.RESULT_CODE_UNAVAILABLE)
                .setLeaderHint(hint())
                .setMessage(known ? "not the leader" : "no leader known")
                .build();
    }

    private ReadResponse readNotLeader() {
        boolean known = raft.leaderId() != null;
        return ReadResponse.newBuilder()
                .setCode(known ? ResultCode.RESULT_CODE_NOT_LEADER : ResultCode.RESULT_CODE_UNAVAILABLE)
                .setLeaderHint(hint())
                .setMessage(known ? "not the leader" : "no leader known")
                .build();
    }

    private CommandResponse unavailable(String message) {
        return CommandResponse.newBuilder()
                .setCode(ResultCode.RESULT_CODE_UNAVAILABLE)
                .setLeaderHint(hint())
                .setMessage(message)
                .build();
    }

    private void publishStatus() {
        var matches = new TreeMap<String, Long>();
        if (raft.role() == Role.LEADER) {
            for (String member : raft.membership().members()) {
                matches.put(member, raft.matchIndex(member));
            }
        }
        boolean caughtUp =
                raft.leaderId() != null && appliedIndex >= raft.commitIndex() && raft.commitIndex() >= commitAtStart;
        pendingProposals = proposals.size();
        status = new NodeStatus(
                raft.id(),
                raft.role(),
                raft.term(),
                raft.leaderId(),
                raft.commitIndex(),
                appliedIndex,
                raft.lastIndex(),
                snapshotIndex,
                raft.membership(),
                raft.membershipIndex(),
                matches,
                caughtUp);
    }

    @Override
    public void close() throws Exception {
        closed = true;
        running = false;
        thread.interrupt();
        thread.join(5_000);
        writer.close();
        snapshotWriter.shutdown();
        proposals.values().forEach(p -> p.future().complete(unavailable("node shutting down")));
        reads.values().forEach(r -> r.future().complete(readNotLeader()));
        storage.close();
    }
}
