package io.sinkron.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.MultiplexedRequest;
import io.sinkron.proto.MultiplexedResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The attempts of one client on one node, sent over a single long-lived {@code Multiplex} stream
 * rather than one unary call (one HTTP/2 stream, headers, deadline timer and trailers) each: each
 * request carries a call id that the node echoes in its answer, and answers come in any order.
 *
 * <p>The stream is opened by the first attempt and again by the first attempt after it ends. When
 * it ends, every attempt still waiting on it fails with the stream's status, as a unary call on a
 * broken connection would, and is retried by its {@link RetryingCall}. A node that does not know
 * the Multiplex method (UNIMPLEMENTED) is served by unary Submit and Read calls from then on,
 * starting with the attempts that were waiting on the refused stream.
 *
 * <p>Attempt deadlines: each attempt has one ({@code attemptDeadlineNanos}); a sweep on the
 * client's scheduler, running every {@value #SWEEP_MILLIS} ms while attempts are waiting, fails
 * those whose deadline has passed with DEADLINE_EXCEEDED, so an attempt on a node that stopped
 * answering is given up a few milliseconds after its deadline at most. A late answer to such an
 * attempt is dropped. A stream that has not answered anything since such an attempt was sent is
 * cancelled (failing whatever else waits on it, to be retried), so that the next attempt opens a
 * fresh one rather than queueing behind a stream that may never answer again. Unary calls keep
 * gRPC's own deadline.
 *
 * <p>Thread-safe. Answers are handled on the channel's executor, as for unary calls.
 */
final class MultiplexedStream implements AutoCloseable {

    static final long SWEEP_MILLIS = 5;
    /** Sweeps that find nothing waiting before the sweep stops until the next attempt. */
    private static final int IDLE_SWEEPS = 200;

    /** Told the outcome of one attempt, exactly once. */
    interface Attempt {
        void onReply(Node node, Reply reply);

        void onError(Node node, Throwable error, boolean cutShortByDeadline);
    }

    /** An attempt sent and not yet answered, and the stream it went out on. */
    private record Waiting(
            Attempt attempt,
            MultiplexedRequest request,
            long sentNanos,
            long deadlineNanos,
            boolean cutShortByDeadline,
            ClientCall<MultiplexedRequest, MultiplexedResponse> call) {}

    private final ManagedChannel channel;
    private final ConsensusGrpc.ConsensusFutureStub unary;
    private final ScheduledExecutorService scheduler;
    private Node node;
    private final Map<Long, Waiting> waiting = new ConcurrentHashMap<>();
    private final AtomicLong callIds = new AtomicLong();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final Object lock = new Object();
    private ClientCall<MultiplexedRequest, MultiplexedResponse> call;
    private Future<?> sweep;
    private int idleSweeps;
    private boolean closed;
    private volatile boolean unsupported;
    private volatile long lastAnswerNanos;

    MultiplexedStream(ManagedChannel channel, ScheduledExecutorService scheduler) {
        this.channel = channel;
        this.unary = ConsensusGrpc.newFutureStub(channel);
        this.scheduler = scheduler;
        this.lastAnswerNanos = System.nanoTime();
    }

    /** Called once by the node this stream belongs to, before any attempt. */
    void bind(Node owner) {
        this.node = owner;
    }

    /** Whether the node turned the Multiplex method down, so attempts go as unary calls. */
    boolean unary() {
        return unsupported;
    }

    /**
     * Sends one attempt; {@code attempt} hears its outcome exactly once, possibly before this
     * method returns.
     */
    void send(
            MultiplexedRequest.Builder request,
            long attemptDeadlineNanos,
            boolean cutShortByDeadline,
            Attempt attempt) {
        if (unsupported) {
            sendUnary(request.build(), attemptDeadlineNanos, cutShortByDeadline, attempt);
            return;
        }
        long id = callIds.incrementAndGet();
        MultiplexedRequest identified = request.setCallId(id).build();
        RuntimeException failure = null;
        synchronized (lock) {
            if (closed) {
                failure = Status.CANCELLED
                        .withDescription("the client is closing")
                        .asRuntimeException();
            } else {
                if (call == null) {
                    call = open();
                }
                waiting.put(
                        id,
                        new Waiting(
                                attempt,
                                identified,
                                System.nanoTime(),
                                attemptDeadlineNanos,
                                cutShortByDeadline,
                                call));
                try {
                    call.sendMessage(identified);
                } catch (RuntimeException e) {
                    waiting.remove(id);
                    failure = e;
                }
            }
        }
        if (failure != null) {
            attempt.onError(node, failure, cutShortByDeadline);
            return;
        }
        startSweeping();
    }

    private ClientCall<MultiplexedRequest, MultiplexedResponse> open() {
        ClientCall<MultiplexedRequest, MultiplexedResponse> opened =
                channel.newCall(ConsensusGrpc.getMultiplexMethod(), CallOptions.DEFAULT);
        opened.start(new Listener(opened), new Metadata());
        opened.request(Integer.MAX_VALUE);
        return opened;
    }

    private final class Listener extends ClientCall.Listener<MultiplexedResponse> {

        private final ClientCall<MultiplexedRequest, MultiplexedResponse> own;

        Listener(ClientCall<MultiplexedRequest, MultiplexedResponse> own) {
            this.own = own;
        }

        @Override
        public void onMessage(MultiplexedResponse response) {
            lastAnswerNanos = System.nanoTime();
            Waiting answered = waiting.remove(response.getCallId());
            if (answered == null) {
                return; // given up at its deadline already
            }
            switch (response.getResponseCase()) {
                case SUBMIT -> answered.attempt().onReply(node, Reply.of(response.getSubmit()));
                case READ -> answered.attempt().onReply(node, Reply.of(response.getRead()));
                default ->
                    answered.attempt()
                            .onError(
                                    node,
                                    Status.INTERNAL
                                            .withDescription("the node answered call " + response.getCallId()
                                                    + " without a response")
                                            .asRuntimeException(),
                                    answered.cutShortByDeadline());
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            synchronized (lock) {
                if (call == own) {
                    call = null;
                }
            }
            boolean refused = status.getCode() == Status.Code.UNIMPLEMENTED;
            if (refused) {
                unsupported = true;
            }
            Status failure = status.isOk()
                    ? Status.UNAVAILABLE.withDescription("the node ended the multiplexed stream")
                    : status;
            // Every attempt sent on this stream was registered under the lock before the stream
            // was cleared above, so this sees them all.
            for (Iterator<Map.Entry<Long, Waiting>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
                Waiting lost = it.next().getValue();
                if (lost.call() != own) {
                    continue;
                }
                it.remove();
                if (refused) {
                    sendUnary(lost.request(), lost.deadlineNanos(), lost.cutShortByDeadline(), lost.attempt());
                } else {
                    lost.attempt().onError(node, failure.asRuntimeException(), lost.cutShortByDeadline());
                }
            }
        }
    }

    private void sendUnary(
            MultiplexedRequest request, long attemptDeadlineNanos, boolean cutShortByDeadline, Attempt attempt) {
        ListenableFuture<Reply> reply;
        try {
            var stub = unary.withDeadlineAfter(attemptDeadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
            reply = switch (request.getRequestCase()) {
                case SUBMIT ->
                    Futures.transform(stub.submit(request.getSubmit()), Reply::of, MoreExecutors.directExecutor());
                case READ -> Futures.transform(stub.read(request.getRead()), Reply::of, MoreExecutors.directExecutor());
                default -> throw new IllegalArgumentException("nothing to send in " + request);
            };
        } catch (RuntimeException e) {
            // A channel shutting down can fail the send itself rather than the call.
            attempt.onError(node, e, cutShortByDeadline);
            return;
        }
        Futures.addCallback(
                reply,
                new FutureCallback<>() {
                    @Override
                    public void onSuccess(Reply answer) {
                        attempt.onReply(node, answer);
                    }

                    @Override
                    public void onFailure(Throwable error) {
                        attempt.onError(node, error, cutShortByDeadline);
                    }
                },
                MoreExecutors.directExecutor());
    }

    private void startSweeping() {
        if (sweeping.get() || !sweeping.compareAndSet(false, true)) {
            return;
        }
        synchronized (lock) {
            idleSweeps = 0;
            try {
                sweep = scheduler.scheduleWithFixedDelay(
                        this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // The client is closing; it fails the waiting calls itself.
                sweeping.set(false);
            }
        }
    }

    private void sweep() {
        if (waiting.isEmpty()) {
            synchronized (lock) {
                if (++idleSweeps < IDLE_SWEEPS) {
                    return;
                }
                sweep.cancel(false);
                sweep = null;
            }
            sweeping.set(false);
            if (!waiting.isEmpty()) {
                startSweeping();
            }
            return;
        }
        idleSweeps = 0;
        long now = System.nanoTime();
        ClientCall<MultiplexedRequest, MultiplexedResponse> silent = null;
        for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
            Waiting late = it.next();
            if (now - late.deadlineNanos() >= 0 && waiting.remove(late.request().getCallId(), late)) {
                if (lastAnswerNanos - late.sentNanos() < 0) {
                    silent = late.call();
                }
                late.attempt()
                        .onError(
                                node,
                                Status.DEADLINE_EXCEEDED
                                        .withDescription("no answer from " + node + " within the attempt's deadline")
                                        .asRuntimeException(),
                                late.cutShortByDeadline());
            }
        }
        if (silent != null) {
            silent.cancel("no answer on this stream within an attempt's deadline", null);
        }
    }

    /** Ends the stream; attempts still waiting on it fail as CANCELLED. */
    @Override
    public void close() {
        ClientCall<MultiplexedRequest, MultiplexedResponse> open;
        synchronized (lock) {
            closed = true;
            open = call;
            if (sweep != null) {
                sweep.cancel(false);
            }
        }
        if (open != null) {
            open.cancel("the client is closing", null);
        }
    }
}
