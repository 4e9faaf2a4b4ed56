package io.sinkron.lock.cluster;

import io.sinkron.proto.LockBatch;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Concurrent lock commands of different locks travel to the cluster as one replicated command, a
 * {@link LockBatch}. At most {@code maxInFlight} commands are in flight; a command that finds them
 * all out waits, and when one returns, what waited meanwhile (at most one command per lock, up to
 * {@code maxCommands}) goes as the next. Under load an entry thus carries many requests, which
 * saves a log entry, a gRPC call and the client's session bookkeeping per request; a lone command
 * goes at once and as itself.
 *
 * <p>Each command still gets the result it would have had on its own, once the entry that carried
 * it is committed and applied: the state machine applies a batch's commands one after the other
 * and answers each, and a batch never carries two commands of one lock, so no command sees another
 * of its lock in the same entry (where an exclusive grant would make a second grant wait for the
 * next entry, to keep fencing tokens distinct). Commands of one lock keep their order of arrival.
 * A failure to reach the cluster fails every command of the batch, with the same exception and the
 * same unknown outcome as a command of its own.
 */
public final class CommandBatching {

    private record Pending(String lockId, LockCommand command, CompletableFuture<LockResult> result) {}

    private final Function<LockCommand, CompletableFuture<LockResult>> cluster;
    private final int maxInFlight;
    private final int maxCommands;
    private final LinkedList<Pending> waiting = new LinkedList<>();
    private int inFlight;

    /**
     * @param cluster submits a command and completes with its result
     * @param maxInFlight commands in flight at once
     * @param maxCommands most commands one batch carries
     */
    public CommandBatching(
            Function<LockCommand, CompletableFuture<LockResult>> cluster, int maxInFlight, int maxCommands) {
        if (maxInFlight < 1 || maxCommands < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.cluster = cluster;
        this.maxInFlight = maxInFlight;
        this.maxCommands = maxCommands;
    }

    /** Submits {@code command}, which concerns {@code lockId} alone, with others or by itself. */
    public CompletableFuture<LockResult> submit(String lockId, LockCommand command) {
        var pending = new Pending(lockId, command, new CompletableFuture<>());
        List<Pending> batch;
        synchronized (waiting) {
            waiting.add(pending);
            batch = inFlight < maxInFlight ? take() : null;
        }
        if (batch != null) {
            send(batch);
        }
        return pending.result();
    }

    /** Commands waiting for a batch; for tests and gauges. */
    public int waiting() {
        synchronized (waiting) {
            return waiting.size();
        }
    }

    /**
     * The next batch: the oldest waiting commands, one per lock, within the limit; at least one.
     * A command of a lock already in the batch stays, in its place, for a later one. Holds the lock.
     */
    private List<Pending> take() {
        List<Pending> batch = new ArrayList<>();
        Set<String> locks = new HashSet<>();
        Iterator<Pending> it = waiting.iterator();
        while (it.hasNext() && batch.size() < maxCommands) {
            Pending next = it.next();
            if (locks.add(next.lockId())) {
                it.remove();
                batch.add(next);
            }
        }
        inFlight++;
        return batch;
    }

    private void send(List<Pending> batch) {
        LockCommand command;
        if (batch.size() == 1) {
            command = batch.getFirst().command();
        } else {
            var commands = LockBatch.newBuilder();
            batch.forEach(p -> commands.addCommands(p.command()));
            command = LockCommand.newBuilder().setBatch(commands).build();
        }
        CompletableFuture<LockResult> result;
        try {
            result = cluster.apply(command);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((r, error) -> {
            try {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    batch.forEach(p -> p.result().completeExceptionally(cause));
                } else if (batch.size() == 1) {
                    batch.getFirst().result().complete(r);
                } else {
                    distribute(batch, r);
                }
            } finally {
                finished();
            }
        });
    }

    private static void distribute(List<Pending> batch, LockResult result) {
        if (result.getBatchCount() != batch.size()) {
            var malformed = new IllegalStateException("the lock state machine answered " + result.getBatchCount()
                    + " results for a batch of " + batch.size() + " commands: " + result.getOutcome() + " "
                    + result.getMessage());
            batch.forEach(p -> p.result().completeExceptionally(malformed));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(result.getBatch(i));
        }
    }

    private void finished() {
        List<Pending> next = null;
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
