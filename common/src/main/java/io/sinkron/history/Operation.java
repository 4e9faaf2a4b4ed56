package io.sinkron.history;

import java.util.Objects;

/**
 * One operation of a concurrent history, as a client observed it: invoked at {@code invokeNanos},
 * completed with {@code output} at {@code completeNanos}.
 *
 * <p>An operation that never completed (the client crashed, timed out or lost the connection) is
 * <em>pending</em>: {@code completeNanos} is {@link #PENDING} and {@code output} is {@code null}.
 * Its effect may or may not have happened, so the checker may linearize it at any point after its
 * invocation, with whatever output the model allows, or leave it out entirely.
 *
 * <p>Timestamps are nanoseconds on one clock shared by all clients, as a test harness recording
 * every client in one process has; only their order matters.
 *
 * @param clientId the client (process) that issued the operation; informational, for explanations
 * @param key the object the operation acts on; the history is checked per key
 * @param input what the client asked for
 * @param output what the client got back; {@code null} if pending (and possibly for completed
 *     operations, if the model gives {@code null} a meaning)
 * @param invokeNanos when the request was sent
 * @param completeNanos when the response arrived, at least {@code invokeNanos}, or {@link #PENDING}
 * @param <I> the model's input type
 * @param <O> the model's output type
 */
public record Operation<I, O>(String clientId, String key, I input, O output, long invokeNanos, long completeNanos) {

    /** The completion time of an operation whose response never arrived: later than any other. */
    public static final long PENDING = Long.MAX_VALUE;

    /** @throws IllegalArgumentException if the timestamps are out of order or a pending operation has an output */
    public Operation {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(input, "input");
        if (invokeNanos == PENDING) {
            throw new IllegalArgumentException("invokeNanos must be before PENDING");
        }
        if (completeNanos < invokeNanos) {
            throw new IllegalArgumentException(
                    "operation completes at " + completeNanos + ", before its invocation at " + invokeNanos);
        }
        if (completeNanos == PENDING && output != null) {
            throw new IllegalArgumentException("a pending operation has no output");
        }
    }

    /** An operation that completed with {@code output}. */
    public static <I, O> Operation<I, O> completed(
            String clientId, String key, I input, O output, long invokeNanos, long completeNanos) {
        if (completeNanos == PENDING) {
            throw new IllegalArgumentException("a completed operation needs a completion time");
        }
        return new Operation<>(clientId, key, input, output, invokeNanos, completeNanos);
    }

    /** An operation invoked at {@code invokeNanos} whose outcome is unknown. */
    public static <I, O> Operation<I, O> pending(String clientId, String key, I input, long invokeNanos) {
        return new Operation<>(clientId, key, input, null, invokeNanos, PENDING);
    }

    /** Whether the response never arrived, so the effect may or may not have happened. */
    public boolean isPending() {
        return completeNanos == PENDING;
    }

    @Override
    public String toString() {
        String interval = "[" + invokeNanos + ", " + (isPending() ? "never" : completeNanos) + "]";
        String result = isPending() ? "?" : String.valueOf(output);
        return clientId + " " + key + " " + input + " -> " + result + " " + interval;
    }
}
