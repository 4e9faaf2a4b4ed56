package io.sinkron.client;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.Event;
import io.sinkron.proto.EventsRequest;
import io.sinkron.proto.MultiplexedRequest;
import io.sinkron.proto.ReadConsistency;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.StatusRequest;
import io.sinkron.proto.StatusResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The client of a Sinkron consensus cluster: submits commands to, and reads from, the replicated
 * state machines of one Raft group, and follows their events.
 *
 * <h2>Commands and exactly-once sessions</h2>
 *
 * Every command gets the next sequence number of this client's session (client id from the
 * configuration or generated per client; sequences 1, 2, 3, ...) and keeps it through all its
 * retries, so the cluster applies it at most once and answers every retry with the first result.
 * Each request also carries {@code acked_sequence}, the highest sequence up to which every call has
 * finished (a call abandoned at its deadline counts as finished, since it is never asked about
 * again), letting the cluster forget those responses.
 *
 * <h2>Retries</h2>
 *
 * A call is retried with exponential backoff and jitter until it gets a definitive answer, its
 * deadline (the configured default or the one given) passes, or {@code maxAttempts} is reached.
 * NOT_LEADER, UNAVAILABLE, TIMEOUT and transport errors (unreachable node, per-attempt deadline,
 * ...) are retried; a leader hint is followed at once. INVALID and SESSION_EXPIRED end the call:
 * a command is never re-submitted under a new sequence, since the first one may have been applied.
 * See {@link ConsensusException.Reason} for what each failure says about a command's outcome.
 *
 * <h2>Choosing nodes</h2>
 *
 * Any node accepts any request and forwards it to the leader, but the client prefers the leader
 * itself, as named by the last leader hint or {@link #status()}; a hinted address that is not
 * configured gets a channel of its own. Otherwise it goes round-robin over the nodes, moving past a
 * node whenever it fails or cannot serve. Consecutive failures mark a node down for a while, during
 * which it is skipped unless every node is down; the down period doubles while the node keeps
 * failing, and the first answer from it clears its record.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe; meant to be shared by a whole service and used from many (virtual) threads. The
 * {@code ...Async} methods never block: a call's first attempt is sent from the calling thread over
 * the node's multiplexed stream (see {@link MultiplexedStream}), retries are timed by one scheduler
 * thread, so thousands of concurrent calls need no thread each. Futures complete on gRPC or
 * scheduler threads (or at once on the calling thread when the call cannot even be sent);
 * completing or cancelling a returned future stops its retries. The blocking methods wait for the
 * same futures.
 *
 * <p>{@link #close()} fails the calls still running with {@link ConsensusException.Reason#CLOSED},
 * closes every subscription and shuts the channels down.
 */
public final class ConsensusClient implements AutoCloseable {

    private final ConsensusClientConfig config;
    private final String clientId;
    private final AtomicLong sessionEpoch = new AtomicLong();
    private final NodeDirectory nodes;
    private final Backoff backoff;
    private final ScheduledThreadPoolExecutor scheduler;
    private final RetryingCall.Settings settings;
    /**
     * The exactly-once session in use. The cluster expires sessions that stay idle for its session
     * TTL; the client then starts a new one (see {@link #submitAsync}).
     */
    private record Session(String id, SessionSequencer sequencer) {}

    private volatile Session session;
    private final Set<RetryingCall> calls = ConcurrentHashMap.newKeySet();
    private final Set<EventStream> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A client dialling the configured nodes over TCP (see {@link ChannelFactory#netty}). */
    public ConsensusClient(ConsensusClientConfig config) {
        this(config, ChannelFactory.netty(config));
    }

    /** A client whose channels come from {@code channels}, e.g. in-process channels in tests. */
    public ConsensusClient(ConsensusClientConfig config, ChannelFactory channels) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(channels, "channels");
        this.clientId = config.clientId() != null ? config.clientId() : "client-" + UUID.randomUUID();
        this.session = new Session(clientId, new SessionSequencer());
        this.backoff = new Backoff(config.backoffBase(), config.backoffMax(), config.random());
        this.scheduler = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().name("sinkron-client-retry").daemon().factory());
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.scheduleWithFixedDelay(this::refreshStatus, 5, 5, TimeUnit.SECONDS);
        this.nodes = new NodeDirectory(
                config.nodes(), channels, config.nodeFailureThreshold(), config.nodeDownPeriod(), scheduler);
        this.settings = new RetryingCall.Settings(
                nodes,
                backoff,
                scheduler,
                config.maxAttempts(),
                config.attemptTimeout().toNanos());
    }

    /** The session id this client sends with its commands now. */
    public String clientId() {
        return session.id();
    }

    /** {@link #submitAsync(String, byte[], Duration)} with the default deadline. */
    public CompletableFuture<byte[]> submitAsync(String stateMachine, byte[] payload) {
        return submitAsync(stateMachine, payload, config.defaultDeadline());
    }

    /**
     * Submits a command to {@code stateMachine} and completes with the state machine's result once
     * the command is applied, or fails with a {@link ConsensusException}.
     *
     * @param deadline how long the call may take in total, retries included
     */
    public CompletableFuture<byte[]> submitAsync(String stateMachine, byte[] payload, Duration deadline) {
        Objects.requireNonNull(stateMachine, "stateMachine");
        ByteString bytes = ByteString.copyFrom(Objects.requireNonNull(payload, "payload"));
        long deadlineNanos = deadlineNanos(deadline);
        return submit(stateMachine, bytes, deadlineNanos);
    }

    /**
     * One command in the current session. If the cluster answers the very first attempt with
     * SESSION_EXPIRED, the command was certainly not applied (the cluster refuses without
     * applying, and no earlier copy was ever sent), so the call moves to a new session and submits
     * it again there, once. After a retry, SESSION_EXPIRED leaves the outcome unknown and fails the
     * call.
     */
    private CompletableFuture<byte[]> submit(String stateMachine, ByteString bytes, long deadlineNanos) {
        if (closed) {
            return closedFuture();
        }
        Command command = new Command(stateMachine, bytes);
        return run(new RetryingCall(command, settings, deadlineNanos), command);
    }

    /** A command and the session sequence it carries through all its attempts. */
    private final class Command implements RetryingCall.Request {

        private final String stateMachine;
        private final ByteString payload;
        private Session session;
        private long sequence;
        private CommandRequest.Builder request;
        private boolean renewed;
        private RetryingCall call;

        Command(String stateMachine, ByteString payload) {
            this.stateMachine = stateMachine;
            this.payload = payload;
            enter(ConsensusClient.this.session);
        }

        private void enter(Session current) {
            session = current;
            sequence = current.sequencer().next();
            request = CommandRequest.newBuilder()
                    .setGroupId(config.groupId())
                    .setClientId(current.id())
                    .setSequence(sequence)
                    .setStateMachine(stateMachine)
                    .setPayload(payload);
        }

        @Override
        public MultiplexedRequest.Builder build(long serverTimeoutMs) {
            return MultiplexedRequest.newBuilder()
                    .setSubmit(request.setAckedSequence(session.sequencer().ackedSequence())
                            .setTimeoutMs(serverTimeoutMs));
        }

        @Override
        public boolean renewSession() {
            if (renewed) {
                return false;
            }
            renewed = true;
            Session expired = session;
            expired.sequencer().finish(sequence);
            replaceSession(expired);
            enter(ConsensusClient.this.session);
            return true;
        }

        // The sequence is finished before the caller sees the outcome, so its next command already
        // acknowledges it.
        @Override
        public void ended() {
            session.sequencer().finish(sequence);
            calls.remove(call);
        }

        @Override
        public String describe() {
            return "submit to " + stateMachine + " (sequence " + sequence + ")";
        }
    }

    private void replaceSession(Session expired) {
        synchronized (this) {
            if (session == expired) {
                session = new Session(clientId + "." + sessionEpoch.incrementAndGet(), new SessionSequencer());
            }
        }
    }

    /** Blocking {@link #submitAsync(String, byte[])}. */
    public byte[] submit(String stateMachine, byte[] payload) {
        return await(submitAsync(stateMachine, payload));
    }

    /** Blocking {@link #submitAsync(String, byte[], Duration)}. */
    public byte[] submit(String stateMachine, byte[] payload, Duration deadline) {
        return await(submitAsync(stateMachine, payload, deadline));
    }

    /** {@link #readAsync(String, byte[], Duration)} with the default deadline. */
    public CompletableFuture<byte[]> readAsync(String stateMachine, byte[] query) {
        return readAsync(stateMachine, query, config.defaultDeadline());
    }

    /**
     * A linearizable read: the answer reflects every command completed before the read started.
     * Served through the leader (ReadIndex); retried like a command.
     */
    public CompletableFuture<byte[]> readAsync(String stateMachine, byte[] query, Duration deadline) {
        return read(stateMachine, query, ReadConsistency.READ_CONSISTENCY_LINEARIZABLE, deadline);
    }

    /** Blocking {@link #readAsync(String, byte[])}. */
    public byte[] read(String stateMachine, byte[] query) {
        return await(readAsync(stateMachine, query));
    }

    /** Blocking {@link #readAsync(String, byte[], Duration)}. */
    public byte[] read(String stateMachine, byte[] query, Duration deadline) {
        return await(readAsync(stateMachine, query, deadline));
    }

    /** {@link #readStaleAsync(String, byte[], Duration)} with the default deadline. */
    public CompletableFuture<byte[]> readStaleAsync(String stateMachine, byte[] query) {
        return readStaleAsync(stateMachine, query, config.defaultDeadline());
    }

    /**
     * A stale read, served from the applied state of whichever node answers (the preferred node if
     * it is up): cheaper than {@link #readAsync}, but it may miss recently completed commands.
     */
    public CompletableFuture<byte[]> readStaleAsync(String stateMachine, byte[] query, Duration deadline) {
        return read(stateMachine, query, ReadConsistency.READ_CONSISTENCY_STALE, deadline);
    }

    /** Blocking {@link #readStaleAsync(String, byte[])}. */
    public byte[] readStale(String stateMachine, byte[] query) {
        return await(readStaleAsync(stateMachine, query));
    }

    /** Blocking {@link #readStaleAsync(String, byte[], Duration)}. */
    public byte[] readStale(String stateMachine, byte[] query, Duration deadline) {
        return await(readStaleAsync(stateMachine, query, deadline));
    }

    /** {@link #events(Set, Consumer, Runnable)} without a reconnect callback. */
    public Subscription events(Set<String> stateMachines, Consumer<Event> listener) {
        return events(stateMachines, listener, () -> {});
    }

    /**
     * Subscribes to the events of {@code stateMachines} (all state machines if empty), on some live
     * node, and keeps the subscription up until it (or this client) is closed: whenever the stream
     * breaks, it re-subscribes with backoff, on another node if need be.
     *
     * <p><b>Events are not replayed.</b> Events emitted while no stream is established (before the
     * first stream is accepted, or between a break and the next stream) are lost. After a break,
     * {@code onReconnect} runs once the new stream is established and before its first event is
     * delivered; a consumer that needs a complete picture must reconcile there, e.g. by re-reading
     * the state it derives from events. Likewise it should read the initial state after
     * subscribing. Events arrive in the order the node applied them; an event may be seen twice
     * across a reconnection if the new node is behind the old one ({@link Event#getIndex()} tells).
     *
     * @param listener called for each event, never concurrently with itself for one stream
     * @param onReconnect called each time a stream is established after an earlier one broke
     */
    public Subscription events(Set<String> stateMachines, Consumer<Event> listener, Runnable onReconnect) {
        Objects.requireNonNull(stateMachines, "stateMachines");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(onReconnect, "onReconnect");
        if (closed) {
            throw new ConsensusException(ConsensusException.Reason.CLOSED, "the client is closed");
        }
        EventsRequest request = EventsRequest.newBuilder()
                .setGroupId(config.groupId())
                .addAllStateMachines(stateMachines)
                .build();
        EventStream stream =
                new EventStream(nodes, request, listener, onReconnect, backoff, scheduler, subscriptions::remove);
        subscriptions.add(stream);
        if (closed) {
            stream.close();
        } else {
            stream.start();
        }
        return stream;
    }

    /**
     * The status of the first node that answers, trying the preferred node first, then the others,
     * each once, within the default deadline. A leader named in the answer becomes the preferred
     * node.
     *
     * @throws ConsensusException UNAVAILABLE if no node answered, DEADLINE_EXCEEDED if the deadline
     *     passed first
     */
    /**
     * Uses the phi-accrual failure detector of the node that answered: members it reports FAILED
     * are skipped by this client until they answer again.
     */
    private void applyFailureDetector(StatusResponse response) {
        for (var member : response.getMembersList()) {
            if ("FAILED".equals(member.getFailureState())) {
                try {
                    nodes.reportedFailed(NodeAddress.parse(member.getAddress()));
                } catch (IllegalArgumentException e) {
                    // An address this client cannot dial is not one it would choose anyway.
                }
            }
        }
    }

    /** Refreshes the cluster view in the background: leader and failed members. */
    private void refreshStatus() {
        if (closed) {
            return;
        }
        Node node = nodes.choose();
        if (node == null) {
            return;
        }
        var future = node.stub()
                .withDeadlineAfter(config.attemptTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .status(StatusRequest.newBuilder().setGroupId(config.groupId()).build());
        Futures.addCallback(
                future,
                new com.google.common.util.concurrent.FutureCallback<>() {
                    @Override
                    public void onSuccess(StatusResponse response) {
                        applyFailureDetector(response);
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        // The next refresh or the next call will find out more.
                    }
                },
                MoreExecutors.directExecutor());
    }

    public StatusResponse status() {
        if (closed) {
            throw new ConsensusException(ConsensusException.Reason.CLOSED, "the client is closed");
        }
        long deadlineNanos = deadlineNanos(config.defaultDeadline());
        StatusRequest request =
                StatusRequest.newBuilder().setGroupId(config.groupId()).build();
        List<Throwable> errors = new ArrayList<>();
        for (Node node : nodes.ordered()) {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw withSuppressed(
                        new ConsensusException(
                                ConsensusException.Reason.DEADLINE_EXCEEDED, "no node answered status in time"),
                        errors);
            }
            long attemptNanos = Math.min(remaining, config.attemptTimeout().toNanos());
            var future = node.stub()
                    .withDeadlineAfter(attemptNanos, TimeUnit.NANOSECONDS)
                    .status(request);
            try {
                StatusResponse response = future.get(attemptNanos, TimeUnit.NANOSECONDS);
                nodes.recordSuccess(node);
                applyFailureDetector(response);
                if (response.hasLeader() && !response.getLeader().getAddress().isBlank()) {
                    preferHinted(response.getLeader().getAddress());
                }
                return response;
            } catch (ExecutionException | TimeoutException e) {
                future.cancel(true);
                nodes.recordFailure(node);
                errors.add(e instanceof ExecutionException ? e.getCause() : e);
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new ConsensusException(ConsensusException.Reason.INTERRUPTED, "interrupted while asking status");
            }
        }
        throw withSuppressed(
                new ConsensusException(ConsensusException.Reason.UNAVAILABLE, "no node answered status"), errors);
    }

    /**
     * Fails the calls still running with {@link ConsensusException.Reason#CLOSED}, closes every
     * subscription and shuts the channels down (waiting at most a second). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ConsensusException failure =
                new ConsensusException(ConsensusException.Reason.CLOSED, "the client was closed during the call");
        calls.forEach(call -> call.abort(failure));
        subscriptions.forEach(EventStream::close);
        scheduler.shutdownNow();
        nodes.close();
    }

    private CompletableFuture<byte[]> read(
            String stateMachine, byte[] query, ReadConsistency consistency, Duration deadline) {
        Objects.requireNonNull(stateMachine, "stateMachine");
        ByteString bytes = ByteString.copyFrom(Objects.requireNonNull(query, "query"));
        long deadlineNanos = deadlineNanos(deadline);
        if (closed) {
            return closedFuture();
        }
        ReadRequest.Builder request = ReadRequest.newBuilder()
                .setGroupId(config.groupId())
                .setStateMachine(stateMachine)
                .setQuery(bytes)
                .setConsistency(consistency);
        Read read = new Read(stateMachine, request);
        return run(new RetryingCall(read, settings, deadlineNanos), read);
    }

    /** A linearizable or stale read. */
    private final class Read implements RetryingCall.Request {

        private final String stateMachine;
        private final ReadRequest.Builder request;
        private RetryingCall call;

        Read(String stateMachine, ReadRequest.Builder request) {
            this.stateMachine = stateMachine;
            this.request = request;
        }

        @Override
        public MultiplexedRequest.Builder build(long serverTimeoutMs) {
            return MultiplexedRequest.newBuilder().setRead(request.setTimeoutMs(serverTimeoutMs));
        }

        @Override
        public void ended() {
            calls.remove(call);
        }

        @Override
        public String describe() {
            return (request.getConsistency() == ReadConsistency.READ_CONSISTENCY_STALE ? "stale read of " : "read of ")
                    + stateMachine;
        }
    }

    private CompletableFuture<byte[]> run(RetryingCall call, Command command) {
        command.call = call;
        return run(call);
    }

    private CompletableFuture<byte[]> run(RetryingCall call, Read read) {
        read.call = call;
        return run(call);
    }

    private CompletableFuture<byte[]> run(RetryingCall call) {
        calls.add(call);
        if (closed) {
            call.abort(new ConsensusException(ConsensusException.Reason.CLOSED, "the client is closed"));
        } else {
            call.start();
        }
        return call;
    }

    private void preferHinted(String address) {
        try {
            nodes.prefer(NodeAddress.parse(address));
        } catch (IllegalArgumentException ignored) {
            // A node reporting a malformed leader address gives no usable hint.
        }
    }

    private static long deadlineNanos(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
        return System.nanoTime() + deadline.toNanos();
    }

    private static CompletableFuture<byte[]> closedFuture() {
        return CompletableFuture.failedFuture(
                new ConsensusException(ConsensusException.Reason.CLOSED, "the client is closed"));
    }

    private static ConsensusException withSuppressed(ConsensusException exception, List<Throwable> errors) {
        errors.forEach(exception::addSuppressed);
        return exception;
    }

    private static byte[] await(CompletableFuture<byte[]> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ConsensusException(ConsensusException.Reason.INTERRUPTED, "interrupted while waiting for a call");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("call failed", e.getCause());
        }
    }
}
