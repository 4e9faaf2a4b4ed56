package io.sinkron.history;

import java.util.List;
import java.util.Objects;

/** The verdict of {@link LinearizabilityChecker#check}. */
public sealed interface CheckResult {

    /** Whether the history was shown to be linearizable; false for both other verdicts. */
    boolean ok();

    /**
     * Every key's sub-history has a linearization.
     *
     * @param operations how many operations were checked
     * @param keys how many keys they touched
     */
    record Linearizable(int operations, int keys) implements CheckResult {
        @Override
        public boolean ok() {
            return true;
        }
    }

    /**
     * The operations on {@code key} have no linearization.
     *
     * <p>The rest describes the deepest point the search reached, which is usually where the
     * anomaly is: {@code linearizedPrefix} is a longest sequence of operations that could be
     * linearized in a valid order (respecting real time and the model), {@code stateAfterPrefix} the
     * model state after it, and {@code candidates} the operations that could have come next by real
     * time, none of which led to a complete linearization.
     *
     * @param explanation all of the above, for a human
     */
    record NotLinearizable(
            String key,
            List<Operation<?, ?>> linearizedPrefix,
            Object stateAfterPrefix,
            List<Operation<?, ?>> candidates,
            String explanation)
            implements CheckResult {

        public NotLinearizable {
            Objects.requireNonNull(key, "key");
            linearizedPrefix = List.copyOf(linearizedPrefix);
            candidates = List.copyOf(candidates);
            Objects.requireNonNull(explanation, "explanation");
        }

        @Override
        public boolean ok() {
            return false;
        }
    }

    /**
     * The budget of {@link CheckOptions} ran out while checking {@code key}; no violation had been
     * found on the keys checked before it.
     *
     * @param steps model steps taken in total
     * @param reason which bound was hit
     */
    record Unknown(String key, long steps, String reason) implements CheckResult {
        @Override
        public boolean ok() {
            return false;
        }
    }
}
