package io.sinkron.cache.home;

import io.sinkron.proto.CacheCommand;
import io.sinkron.proto.CacheResult;
import io.sinkron.proto.CacheWrite;
import io.sinkron.proto.CacheWriteBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Concurrent writes (PUTs and DELETEs) of this instance travel to the home as one replicated
 * command. At most {@code maxInFlight} write commands are on their way at once; a write that finds
 * them all out waits, and when a command returns, the writes that waited meanwhile go together as
 * the next command ({@code CacheWriteBatch}), up to {@code maxItems} writes and {@code maxBytes}
 * of values. Under load one log entry, one gRPC call and one client session sequence then serve
 * many writes; a lone write goes at once, as a plain {@code CacheWrite}.
 *
 * <p>Each write still gets exactly the answer it would have had on its own:
 *
 * <ul>
 *   <li>a command carries at most one write per key. The home gives every write of a command the
 *       command's log index as its version, so a second write of a key waits for the next command;
 *       the home's per-key rules (busy, compare-and-set, invalidations) then see exactly the
 *       writes they would have seen one command at a time;
 *   <li>the home applies the writes in order, each with its own result, which goes back to its
 *       own writer;
 *   <li>a command the home refuses whole (it changed nothing) is sent again as one command per
 *       write, so that a write is refused only for its own reasons;
 *   <li>a failure to reach the cluster fails every write of the command with the same exception
 *       and the same unknown outcome as a command of its own. The command is one command of the
 *       client's session, so the client's retries apply it exactly once.
 * </ul>
 *
 * <p>The shape follows queue-service's {@code CommandCoalescing}, with one lane for the whole cache
 * and the one-write-per-key rule.
 */
final class WriteCoalescing {

    private record Request(CacheWrite write, CompletableFuture<CacheResult> result) {
        long bytes() {
            return write.getValue().size() + write.getKey().length();
        }
    }

    private final Function<CacheCommand, CompletableFuture<CacheResult>> home;
    private final int maxInFlight;
    private final int maxItems;
    private final long maxBytes;
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param home submits a command and completes with the home's result, whatever it is
     * @param maxInFlight write commands in flight at once
     * @param maxItems most writes one command carries
     * @param maxBytes most bytes of keys and values one command carries, unless a single write
     *     brings more
     */
    WriteCoalescing(
            Function<CacheCommand, CompletableFuture<CacheResult>> home, int maxInFlight, int maxItems, long maxBytes) {
        if (maxInFlight < 1 || maxItems < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.home = home;
        this.maxInFlight = maxInFlight;
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
    }

    /**
     * Submits {@code write}, alone or with others. Completes with the home's result for it (a
     * {@code CacheWriteResult}, or an error for this write), or with the client's failure to get an
     * answer.
     */
    CompletableFuture<CacheResult> submit(CacheWrite write) {
        var request = new Request(write, new CompletableFuture<>());
        List<Request> batch;
        synchronized (waiting) {
            waiting.add(request);
            batch = inFlight < maxInFlight ? take() : null;
        }
        if (batch != null) {
            send(batch);
        }
        return request.result();
    }

    /** Writes waiting for a command plus commands in flight; 0 when idle. */
    int pending() {
        synchronized (waiting) {
            return waiting.size() + inFlight;
        }
    }

    /**
     * The next command's writes, oldest first, at most one per key and within the limits; at least
     * one, since a write waits only while commands are in flight. Holds the lock.
     */
    private List<Request> take() {
        List<Request> batch = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        long bytes = 0;
        for (Iterator<Request> it = waiting.iterator(); it.hasNext() && batch.size() < maxItems; ) {
            Request next = it.next();
            if (!batch.isEmpty() && bytes + next.bytes() > maxBytes) {
                break;
            }
            if (keys.add(next.write().getKey())) {
                it.remove();
                batch.add(next);
                bytes += next.bytes();
            }
        }
        inFlight++;
        return batch;
    }

    private void send(List<Request> batch) {
        CacheCommand command;
        if (batch.size() == 1) {
            command =
                    CacheCommand.newBuilder().setWrite(batch.getFirst().write()).build();
        } else {
            var writes = CacheWriteBatch.newBuilder();
            batch.forEach(request -> writes.addWrites(request.write()));
            command = CacheCommand.newBuilder().setWriteBatch(writes).build();
        }
        submit(command).whenComplete((result, error) -> {
            try {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    batch.forEach(request -> request.result().completeExceptionally(cause));
                } else if (batch.size() == 1) {
                    batch.getFirst().result().complete(result);
                } else if (result.hasWriteBatch()) {
                    distribute(batch, result);
                } else {
                    // Refused whole, nothing changed: each write tries on its own.
                    batch.forEach(this::alone);
                }
            } catch (RuntimeException e) {
                batch.forEach(request -> request.result().completeExceptionally(e));
            } finally {
                finished();
            }
        });
    }

    /** A write as a command of its own, outside the limit (it retries one that was in flight). */
    private void alone(Request request) {
        submit(CacheCommand.newBuilder().setWrite(request.write()).build()).whenComplete((result, error) -> {
            if (error != null) {
                request.result().completeExceptionally(unwrap(error));
            } else {
                request.result().complete(result);
            }
        });
    }

    private CompletableFuture<CacheResult> submit(CacheCommand command) {
        try {
            return home.apply(command);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void distribute(List<Request> batch, CacheResult result) {
        List<CacheResult> results = result.getWriteBatch().getResultsList();
        if (results.size() != batch.size()) {
            var malformed = new IllegalStateException(
                    "the home answered " + results.size() + " results for a batch of " + batch.size() + " writes");
            batch.forEach(request -> request.result().completeExceptionally(malformed));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }

    private void finished() {
        List<Request> next = null;
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

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
