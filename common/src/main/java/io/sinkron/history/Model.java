package io.sinkron.history;

import java.util.Optional;

/**
 * Sequential specification of an object, against which a concurrent history is checked.
 *
 * <p>States must be immutable and implement {@code equals} and {@code hashCode} by value (records
 * do): the checker memoizes the states it has reached, and relies on equal states being
 * interchangeable. Models must be deterministic in the sense that the state after an operation
 * depends only on the state before it, the input and the output.
 *
 * @param <S> state of the object
 * @param <I> operation input
 * @param <O> operation output
 */
public interface Model<S, I, O> {

    /** The state of the object before any operation. */
    S init();

    /**
     * Applies an operation whose output was observed.
     *
     * @return the state after the operation if {@code output} is a legal response to {@code input}
     *     in {@code state}; empty otherwise
     */
    Optional<S> step(S state, I input, O output);

    /**
     * Applies an operation whose output was never observed (a pending operation that took effect),
     * so any output the object could have produced is acceptable.
     *
     * @return the state after the operation, or empty if {@code input} cannot take effect in {@code
     *     state} whatever its output
     */
    Optional<S> stepWithUnknownOutput(S state, I input);
}
