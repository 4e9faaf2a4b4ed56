package io.sinkron.queue.service;

import io.sinkron.proto.QueueCommand;
import io.sinkron.proto.QueueResult;
import io.sinkron.proto.QueueStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Concurrent requests of one kind (enqueues, or acks) to the same queue travel to the cluster as
 * one replicated command. Each queue has a lane with at most {@code maxInFlight} commands in
 * flight; a request that finds the lane full waits, and when a command returns, everything that
 * waited meanwhile (up to {@code maxItems} items and {@code maxBytes}) goes as the next command.
 * Under load a command thus carries many requests, which saves a log entry, a gRPC call and the
 * client's session bookkeeping per request; a lone request goes at once, as before.
 *
 * <p>Each request still gets exactly the answer it would have had on its own, and only once the
 * command that carried it is committed and applied:
 *
 * <ul>
 *   <li>the command's items are the requests' items in arrival order, so its outcomes, in item
 *       order, are cut back into each request's own;
 *   <li>the queue state machine refuses a command whole, before changing anything, or applies it
 *       whole. A refused command that carried several requests is therefore resubmitted as one
 *       command per request, so that a request is refused only for its own reasons (its own
 *       invalid field, no room for its own messages);
 *   <li>a failure to reach the cluster fails every request the command carried, with the same
 *       exception and the same unknown outcome as a command of its own.
 * </ul>
 *
 * @param <I> the item a request brings: a new message, a receipt
 * @param <O> the outcome of one item
 */
final class CommandCoalescing<I, O> {

    /** How items become one command, and how its result becomes one outcome per item. */
    interface Form<I, O> {

        QueueCommand command(String queue, List<I> items);

        List<O> outcomes(QueueResult result);
    }

    private record Request<I, O>(List<I> items, long bytes, CompletableFuture<List<O>> outcomes) {}

    /** The requests of one queue: the ones waiting for a command, and how many commands are out. */
    private static final class Lane<I, O> {
        final ArrayDeque<Request<I, O>> waiting = new ArrayDeque<>();
        int inFlight;
    }

    private final Form<I, O> form;
    private final Function<QueueCommand, CompletableFuture<QueueResult>> cluster;
    private final int maxInFlight;
    private final int maxItems;
    private final long maxBytes;
    private final Map<String, Lane<I, O>> lanes = new HashMap<>();

    /**
     * @param cluster submits a command and completes with its result, whatever its status
     * @param maxInFlight commands per queue in flight at once
     * @param maxItems most items one command carries, unless a single request brings more
     * @param maxBytes most bytes one command carries, unless a single request brings more
     */
    CommandCoalescing(
            Form<I, O> form,
            Function<QueueCommand, CompletableFuture<QueueResult>> cluster,
            int maxInFlight,
            int maxItems,
            long maxBytes) {
        if (maxInFlight < 1 || maxItems < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.form = form;
        this.cluster = cluster;
        this.maxInFlight = maxInFlight;
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
    }

    /**
     * Submits {@code items} (of {@code bytes} in total) to {@code queue}, alone or with others.
     * Completes with one outcome per item, or with the {@link QueueProblem} the state machine
     * refused them with, or with the client's failure to get an answer.
     */
    CompletableFuture<List<O>> submit(String queue, List<I> items, long bytes) {
        var request = new Request<I, O>(List.copyOf(items), bytes, new CompletableFuture<>());
        List<Request<I, O>> batch;
        synchronized (lanes) {
            Lane<I, O> lane = lanes.computeIfAbsent(queue, q -> new Lane<>());
            lane.waiting.add(request);
            batch = lane.inFlight < maxInFlight ? take(lane) : null;
        }
        if (batch != null) {
            send(queue, batch);
        }
        return request.outcomes();
    }

    /** Queues with requests waiting or commands in flight. */
    int activeQueues() {
        synchronized (lanes) {
            return lanes.size();
        }
    }

    /** The next command's requests, oldest first, within the limits; at least one. Holds the lock. */
    private List<Request<I, O>> take(Lane<I, O> lane) {
        List<Request<I, O>> batch = new ArrayList<>();
        int items = 0;
        long bytes = 0;
        Request<I, O> next;
        while ((next = lane.waiting.peek()) != null
                && (batch.isEmpty() || (items + next.items().size() <= maxItems && bytes + next.bytes() <= maxBytes))) {
            lane.waiting.poll();
            batch.add(next);
            items += next.items().size();
            bytes += next.bytes();
        }
        lane.inFlight++;
        return batch;
    }

    private void send(String queue, List<Request<I, O>> batch) {
        List<I> items;
        if (batch.size() == 1) {
            items = batch.getFirst().items();
        } else {
            items = new ArrayList<>();
            batch.forEach(r -> items.addAll(r.items()));
        }
        CompletableFuture<QueueResult> result;
        try {
            result = cluster.apply(form.command(queue, items));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((r, error) -> {
            try {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    batch.forEach(request -> request.outcomes().completeExceptionally(cause));
                } else if (r.getStatus() == QueueStatus.QUEUE_STATUS_OK) {
                    distribute(batch, form.outcomes(r), items.size());
                } else if (batch.size() == 1) {
                    batch.getFirst().outcomes().completeExceptionally(QueueProblem.of(r.getStatus(), r.getDetail()));
                } else {
                    // Nothing of the refused command was applied: each request tries on its own.
                    batch.forEach(request -> alone(queue, request));
                }
            } finally {
                finished(queue);
            }
        });
    }

    /** A request as a command of its own, outside the lane's limit (it is a retry of one in it). */
    private void alone(String queue, Request<I, O> request) {
        CompletableFuture<QueueResult> result;
        try {
            result = cluster.apply(form.command(queue, request.items()));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((r, error) -> {
            if (error != null) {
                request.outcomes().completeExceptionally(unwrap(error));
            } else if (r.getStatus() == QueueStatus.QUEUE_STATUS_OK) {
                distribute(List.of(request), form.outcomes(r), request.items().size());
            } else {
                request.outcomes().completeExceptionally(QueueProblem.of(r.getStatus(), r.getDetail()));
            }
        });
    }

    private void distribute(List<Request<I, O>> batch, List<O> outcomes, int items) {
        if (outcomes.size() != items) {
            var malformed = new IllegalStateException(
                    "the queue state machine answered " + outcomes.size() + " outcomes for " + items + " items");
            batch.forEach(request -> request.outcomes().completeExceptionally(malformed));
            return;
        }
        int from = 0;
        for (Request<I, O> request : batch) {
            int to = from + request.items().size();
            request.outcomes().complete(List.copyOf(outcomes.subList(from, to)));
            from = to;
        }
    }

    private void finished(String queue) {
        List<Request<I, O>> next = null;
        synchronized (lanes) {
            Lane<I, O> lane = lanes.get(queue);
            lane.inFlight--;
            if (!lane.waiting.isEmpty()) {
                next = take(lane);
            } else if (lane.inFlight == 0) {
                lanes.remove(queue);
            }
        }
        if (next != null) {
            send(queue, next);
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
