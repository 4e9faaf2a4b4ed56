package io.sinkron.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.history.RegisterModel.Input;
import io.sinkron.history.RegisterModel.Output;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class LinearizabilityCheckerProperties {

    /** Values the generated writes and compare-and-sets use; reads of anything else are impossible. */
    private static final int VALUES = 5;

    private static final int NEVER_WRITTEN = 1_000;

    /**
     * One operation of a sequential execution, with how far its interval is widened on either
     * side (in slots of 10 ns, one slot per operation) and whether its response is lost.
     */
    record Step(int key, int kind, int value, int expected, int widenBefore, int widenAfter, boolean pending) {}

    @Provide
    Arbitrary<List<Step>> executions() {
        Arbitrary<Step> step = Combinators.combine(
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, VALUES - 1),
                        Arbitraries.integers().between(0, VALUES - 1),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 19).map(i -> i == 0))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    /**
     * Runs {@code steps} one after another on real registers: operation {@code i} takes effect at
     * time {@code 10 i + 5}, inside its interval however it is widened, so the history is
     * linearizable by construction.
     */
    private static List<Operation<Input<Integer>, Output<Integer>>> history(List<Step> steps, boolean withPending) {
        Map<String, Integer> registers = new HashMap<>();
        List<Operation<Input<Integer>, Output<Integer>>> history = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String key = "k" + step.key();
            Input<Integer> input = switch (step.kind()) {
                case 0 -> RegisterModel.read();
                case 1 -> RegisterModel.write(step.value());
                default -> RegisterModel.cas(step.expected(), step.value());
            };
            Output<Integer> output = ConcurrentRegisterSimulation.apply(registers, key, input);
            long invoke = Math.max(0, 10L * (i - step.widenBefore()) + 1);
            long complete = 10L * (i + step.widenAfter()) + 9;
            String client = "c" + (i % 4);
            history.add(
                    withPending && step.pending()
                            ? Operation.pending(client, key, input, invoke)
                            : Operation.completed(client, key, input, output, invoke, complete));
        }
        return history;
    }

    @Property(tries = 300)
    void sequentialExecutionsWithWidenedIntervalsAreLinearizable(
            @ForAll("executions") List<Step> steps, @ForAll boolean withPending) {
        var history = history(steps, withPending);

        CheckResult result = LinearizabilityChecker.check(history, RegisterHistory.MODEL);

        assertThat(result.ok()).as("%s", result).isTrue();
    }

    @Property(tries = 300)
    void readOfANeverWrittenValueIsAlwaysRejected(
            @ForAll("executions") List<Step> steps,
            @ForAll boolean withPending,
            @ForAll @IntRange(min = 0, max = 59) int readAt) {
        var history = history(steps, withPending);
        int index = readAt % history.size();
        var original = history.get(index);
        history.set(
                index,
                Operation.completed(
                        original.clientId(),
                        original.key(),
                        RegisterModel.read(),
                        RegisterModel.readResult(NEVER_WRITTEN),
                        original.invokeNanos(),
                        original.isPending() ? original.invokeNanos() + 9 : original.completeNanos()));

        CheckResult result = LinearizabilityChecker.check(history, RegisterHistory.MODEL);

        assertThat(result)
                .isInstanceOfSatisfying(
                        CheckResult.NotLinearizable.class,
                        violation -> assertThat(violation.key()).isEqualTo(original.key()));
    }

    @Property(tries = 50)
    void simulatedConcurrentClientsProduceLinearizableHistories(
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
            @ForAll @IntRange(min = 1, max = 4) int keys,
            @ForAll @IntRange(min = 2, max = 6) int clients) {
        var history = ConcurrentRegisterSimulation.generate(seed, 300, keys, clients, 0.01);

        CheckResult result = LinearizabilityChecker.check(history, RegisterHistory.MODEL);

        assertThat(result.ok()).as("%s", result).isTrue();
    }
}
