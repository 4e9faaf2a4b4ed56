package io.sinkron.history;

import java.util.Objects;
import java.util.Optional;

/**
 * A read/write/compare-and-set register holding a value of type {@code V}, initially absent
 * ({@code null}). Since {@link LinearizabilityChecker} partitions histories by key, this is also the
 * model of a key-value store with those operations: one register per key.
 *
 * <p>Inputs and outputs come in matching pairs: {@link Read} with {@link ReadResult}, {@link Write}
 * with {@link WriteResult}, {@link Cas} with {@link CasResult}. A mismatched pair is a bug in the
 * history, not a violation, and is rejected with an {@link IllegalArgumentException}.
 *
 * @param <V> value type; compared with {@link Objects#equals}
 */
public final class RegisterModel<V>
        implements Model<RegisterModel.State<V>, RegisterModel.Input<V>, RegisterModel.Output<V>> {

    /** @param value the register's content, {@code null} if absent */
    public record State<V>(V value) {}

    /** What a client asks the register for. */
    public sealed interface Input<V> {}

    /** Returns the current value. */
    public record Read<V>() implements Input<V> {}

    /** Replaces the value. */
    public record Write<V>(V value) implements Input<V> {}

    /** Replaces the value with {@code update} if it equals {@code expected} ({@code null}: absent). */
    public record Cas<V>(V expected, V update) implements Input<V> {}

    /** What the register answers. */
    public sealed interface Output<V> {}

    /** The value a {@link Read} returned, {@code null} if absent. */
    public record ReadResult<V>(V value) implements Output<V> {}

    /** Acknowledges a {@link Write}. */
    public record WriteResult<V>() implements Output<V> {}

    /** Whether a {@link Cas} replaced the value. */
    public record CasResult<V>(boolean swapped) implements Output<V> {}

    @Override
    public State<V> init() {
        return new State<>(null);
    }

    @Override
    public Optional<State<V>> step(State<V> state, Input<V> input, Output<V> output) {
        return switch (input) {
            case Read<V> _
            when output instanceof ReadResult<V>(V seen) ->
                Objects.equals(seen, state.value()) ? Optional.of(state) : Optional.empty();
            case Write<V>(V value) when output instanceof WriteResult<V> -> Optional.of(new State<>(value));
            case Cas<V>(V expected, V update)
            when output instanceof CasResult<V>(boolean swapped) -> {
                boolean matches = Objects.equals(expected, state.value());
                if (matches != swapped) {
                    yield Optional.empty();
                }
                yield Optional.of(swapped ? new State<>(update) : state);
            }
            default -> throw new IllegalArgumentException(input + " cannot produce " + output);
        };
    }

    @Override
    public Optional<State<V>> stepWithUnknownOutput(State<V> state, Input<V> input) {
        return Optional.of(
                switch (input) {
                    case Read<V> _ -> state;
                    case Write<V>(V value) -> new State<>(value);
                    case Cas<V>(V expected, V update) ->
                        Objects.equals(expected, state.value()) ? new State<>(update) : state;
                });
    }

    /** A {@link Read}. */
    public static <V> Input<V> read() {
        return new Read<>();
    }

    /** A {@link Write} of {@code value}. */
    public static <V> Input<V> write(V value) {
        return new Write<>(value);
    }

    /** A {@link Cas} from {@code expected} to {@code update}. */
    public static <V> Input<V> cas(V expected, V update) {
        return new Cas<>(expected, update);
    }

    /** A {@link ReadResult} of {@code value}. */
    public static <V> Output<V> readResult(V value) {
        return new ReadResult<>(value);
    }

    /** A {@link WriteResult}. */
    public static <V> Output<V> writeResult() {
        return new WriteResult<>();
    }

    /** A {@link CasResult}. */
    public static <V> Output<V> casResult(boolean swapped) {
        return new CasResult<>(swapped);
    }
}
