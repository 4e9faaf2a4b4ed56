package io.sinkron.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Concurrent commands of a service travel to the cluster together, as one replicated command. At
 * most {@code maxInFlight} commands are on their way at once; an item that finds them all out
 * waits, and when a command returns, the items that waited meanwhile go together as the next one,
 * oldest first, at most one per key, up to {@code maxItems} items and {@code maxBytes}. Under load
 * one log entry, one gRPC call and one client session sequence then serve many requests; a lone
 * item goes at once, as a command of its own.
 *
 * <p>Each item still gets exactly the answer it would have had on its own, provided the state
 * machine applies a batch's items in order, each as a command of its own at that log index would
 * be, and answers each:
 *
 * <ul>
 *   <li>a batch carries at most one item per key, so the items of a key keep their order and never
 *       share an entry (where they would share its index: a version, a fencing token);
 *   <li>each item's result goes back to its own caller;
 *   <li>a batch the state machine refuses whole (it changed nothing) is sent again as one command
 *       per item, so that an item is refused only for its own reasons;
 *   <li>a failure to reach the cluster fails every item of the batch with the same exception and
 *       the same unknown outcome as a command of its own. The batch is one command of the client's
 *       session, so the client's retries apply it exactly once.
 * </ul>
 *
 * @param <I> an item: what one request asks of the state machine
 * @param <R> the state machine's answer to one item
 */
public final class KeyedBatching<I, R> {

    /** How items travel: alone, or several as one command. */
    public interface Form<I, R> {

        /** Submits one item as a command of its own; completes with its result. */
        CompletableFuture<R> one(I item);

        /**
         * Submits several items as one command; completes with one result per item, in order, or
         * with {@code null} if the state machine refused the command whole and changed nothing.
         */
        CompletableFuture<List<R>> batch(List<I> items);
    }

    private record Pending<I, R>(I item, String key, long bytes, CompletableFuture<R> result) {}

    private final Form<I, R> form;
    private final Function<I, String> key;
    private final ToLongFunction<I> bytes;
    private final int maxInFlight;
    private final int maxItems;
    private final long maxBytes;
    private final ArrayDeque<Pending<I, R>> waiting = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param key the key of an item: items of one key never share a command
     * @param bytes the size an item adds to a command
     * @param maxInFlight commands in flight at once
     * @param maxItems most items one command carries
     * @param maxBytes most bytes one command carries, unless a single item brings more
     */
    public KeyedBatching(
            Form<I, R> form,
            Function<I, String> key,
            ToLongFunction<I> bytes,
            int maxInFlight,
            int maxItems,
            long maxBytes) {
        if (maxInFlight < 1 || maxItems < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.form = form;
        this.key = key;
        this.bytes = bytes;
        this.maxInFlight = maxInFlight;
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
    }

    /**
     * Submits {@code item}, alone or with others. Completes with the state machine's result for it,
     * or with the client's failure to get an answer.
     */
    public CompletableFuture<R> submit(I item) {
        var pending = new Pending<I, R>(item, key.apply(item), bytes.applyAsLong(item), new CompletableFuture<>());
        List<Pending<I, R>> batch;
        synchronized (waiting) {
            waiting.add(pending);
            batch = inFlight < maxInFlight ? take() : null;
        }
        if (batch != null) {
            send(batch);
        }
        return pending.result();
    }

    /** Items waiting for a command plus commands in flight; 0 when idle. */
    public int pending() {
        synchronized (waiting) {
            return waiting.size() + inFlight;
        }
    }

    /**
     * The next command's items, oldest first, at most one per key and within the limits; at least
     * one, since an item waits only while commands are in flight. An item of a key already in the
     * batch stays, in its place, for a later one. Holds the lock.
     */
    private List<Pending<I, R>> take() {
        List<Pending<I, R>> batch = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        long size = 0;
        for (Iterator<Pending<I, R>> it = waiting.iterator(); it.hasNext() && batch.size() < maxItems; ) {
            Pending<I, R> next = it.next();
            if (!batch.isEmpty() && size + next.bytes() > maxBytes) {
                break;
            }
            if (keys.add(next.key())) {
                it.remove();
                batch.add(next);
                size += next.bytes();
            }
        }
        inFlight++;
        return batch;
    }

    private void send(List<Pending<I, R>> batch) {
        if (batch.size() == 1) {
            Pending<I, R> only = batch.getFirst();
            guard(() -> form.one(only.item())).whenComplete((result, error) -> {
                try {
                    complete(only, result, error);
                } finally {
                    finished();
                }
            });
            return;
        }
        guard(() -> form.batch(batch.stream().map(Pending::item).toList())).whenComplete((results, error) -> {
            try {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    batch.forEach(p -> p.result().completeExceptionally(cause));
                } else if (results == null) {
                    // Refused whole, nothing changed: each item tries on its own.
                    batch.forEach(this::alone);
                } else {
                    distribute(batch, results);
                }
            } catch (RuntimeException e) {
                batch.forEach(p -> p.result().completeExceptionally(e));
            } finally {
                finished();
            }
        });
    }

    /** An item as a command of its own, outside the limit (it retries one that was in flight). */
    private void alone(Pending<I, R> pending) {
        guard(() -> form.one(pending.item())).whenComplete((result, error) -> complete(pending, result, error));
    }

    private static <I, R> void complete(Pending<I, R> pending, R result, Throwable error) {
        if (error != null) {
            pending.result().completeExceptionally(unwrap(error));
        } else {
            pending.result().complete(result);
        }
    }

    private static <I, R> void distribute(List<Pending<I, R>> batch, List<R> results) {
        if (results.size() != batch.size()) {
            var malformed = new IllegalStateException(
                    "the state machine answered " + results.size() + " results for a batch of " + batch.size());
            batch.forEach(p -> p.result().completeExceptionally(malformed));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }

    private void finished() {
        List<Pending<I, R>> next = null;
        synchronized (waiting) {
            inFlight--;
            if (!waiting.isEmpty()) {
                next = take();
            }
        }
        if (next != null) {
            send(next);
        }
    }

    private static <T> CompletableFuture<T> guard(java.util.function.Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
