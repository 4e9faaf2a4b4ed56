package io.sinkron.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.history.RegisterModel.Input;
import io.sinkron.history.RegisterModel.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    private static CheckResult.NotLinearizable violation(CheckResult result) {
        assertThat(result).isInstanceOf(CheckResult.NotLinearizable.class);
        assertThat(result.ok()).isFalse();
        return (CheckResult.NotLinearizable) result;
    }

    @Test
    void emptyHistoryIsLinearizable() {
        assertThat(new RegisterHistory().check()).isEqualTo(new CheckResult.Linearizable(0, 0));
    }

    @Test
    void sequentialHistoryIsLinearizable() {
        var history = new RegisterHistory()
                .read("a", null, 0, 10)
                .write("a", 1, 20, 30)
                .read("b", 1, 40, 50)
                .cas("b", 1, 2, true, 60, 70)
                .cas("a", 1, 3, false, 80, 90)
                .read("a", 2, 100, 110);

        assertThat(history.check()).isEqualTo(new CheckResult.Linearizable(6, 1));
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrder() {
        for (int seen : new int[] {1, 2}) {
            var history = new RegisterHistory()
                    .write("a", 1, 0, 10)
                    .write("b", 2, 0, 10)
                    .read("c", seen, 20, 30)
                    .read("a", seen, 40, 50);
            assertThat(history.check().ok()).as("reads see %d", seen).isTrue();
        }
    }

    @Test
    void findsTheOrderThatRequiresBacktracking() {
        // Listed so that the search first tries write 1 before write 2, which the reads then refute.
        var history = new RegisterHistory()
                .write("a", 1, 0, 50)
                .write("b", 2, 0, 50)
                .read("c", 2, 10, 20)
                .read("c", 1, 60, 70);

        assertThat(history.check().ok()).isTrue();
    }

    @Test
    void readConcurrentWithAWriteMaySeeOldOrNewValue() {
        for (int seen : new int[] {1, 2}) {
            var history = new RegisterHistory()
                    .write("a", 1, 0, 10)
                    .write("a", 2, 20, 40)
                    .read("b", seen, 25, 35);
            assertThat(history.check().ok()).as("read sees %d", seen).isTrue();
        }
    }

    @Test
    void operationsThatTouchAtTheSameInstantAreConcurrent() {
        var history = new RegisterHistory().write("a", 1, 0, 10).read("b", null, 10, 20);

        assertThat(history.check().ok()).isTrue();
    }

    @Test
    void rejectsStaleReadAfterACompletedWrite() {
        var history =
                new RegisterHistory().write("a", 1, 0, 10).write("a", 2, 20, 30).read("b", 1, 40, 50);

        var violation = violation(history.check());

        assertThat(violation.key()).isEqualTo("x");
        var operations = history.operations();
        assertThat(violation.linearizedPrefix()).containsExactly(operations.get(0), operations.get(1));
        assertThat(violation.stateAfterPrefix()).isEqualTo(new RegisterModel.State<>(2));
        assertThat(violation.candidates()).containsExactly(operations.get(2));
        assertThat(violation.explanation())
                .contains("key x", "2 of 3", "State[value=2]", "b x Read[] -> ReadResult[value=1]", "illegal");
    }

    @Test
    void rejectsReadsThatSeeWritesInInconsistentOrder() {
        // a writes 1 then 2; b sees 2 (while the write of 2 is in flight) and later 1 again.
        var history = new RegisterHistory()
                .write("a", 1, 0, 10)
                .write("a", 2, 20, 60)
                .read("b", 2, 25, 35)
                .read("b", 1, 40, 50);

        assertThat(violation(history.check()).linearizedPrefix()).hasSize(3);
    }

    @Test
    void rejectsValuesSeenInAnOrderNoSequenceOfWritesExplains() {
        // Both writes overlap all three reads, yet the reads need 1 before 2 before 1.
        var history = new RegisterHistory()
                .write("a", 1, 0, 100)
                .write("b", 2, 0, 100)
                .read("c", 1, 10, 20)
                .read("c", 2, 30, 40)
                .read("c", 1, 50, 60);

        violation(history.check());
    }

    @Test
    void rejectsTwoCompareAndSetsSucceedingFromTheSameValue() {
        var lost = new RegisterHistory()
                .write("a", 0, 0, 10)
                .cas("a", 0, 1, true, 20, 40)
                .cas("b", 0, 2, true, 20, 40);
        var fair = new RegisterHistory()
                .write("a", 0, 0, 10)
                .cas("a", 0, 1, true, 20, 40)
                .cas("b", 0, 2, false, 20, 40)
                .read("a", 1, 50, 60);

        violation(lost.check());
        assertThat(fair.check().ok()).isTrue();
    }

    @Test
    void rejectsReadOfAValueNeverWritten() {
        var history = new RegisterHistory().write("a", 1, 0, 10).read("b", 7, 20, 30);

        assertThat(violation(history.check()).explanation()).contains("ReadResult[value=7]", "illegal");
    }

    @Test
    void rejectsReadOfAbsentValueAfterACompletedWrite() {
        var history = new RegisterHistory().write("a", 1, 0, 10).read("b", null, 20, 30);

        violation(history.check());
    }

    @Test
    void pendingWriteMayOrMayNotHaveTakenEffect() {
        for (int seen : new int[] {1, 2}) {
            var history = new RegisterHistory()
                    .write("a", 1, 0, 10)
                    .pending("a", RegisterModel.write(2), 20)
                    .read("b", seen, 100, 110)
                    .read("b", seen, 200, 210);
            assertThat(history.check().ok()).as("reads see %d", seen).isTrue();
        }
    }

    @Test
    void pendingWriteTakesEffectAtMostOnceAndNotBeforeItsInvocation() {
        var undone = new RegisterHistory()
                .write("a", 1, 0, 10)
                .pending("a", RegisterModel.write(2), 20)
                .read("b", 2, 100, 110)
                .read("b", 1, 200, 210);
        var early = new RegisterHistory()
                .write("a", 1, 0, 10)
                .read("b", 2, 12, 18)
                .pending("a", RegisterModel.write(2), 20);

        violation(undone.check());
        violation(early.check());
    }

    @Test
    void pendingCompareAndSetFollowsTheStateItIsLinearizedIn() {
        var history = new RegisterHistory()
                .pending("a", RegisterModel.cas(null, 1), 0)
                .read("b", 1, 10, 20)
                .write("b", 5, 30, 40)
                .read("b", 5, 50, 60);
        var impossible = new RegisterHistory()
                .write("b", 5, 0, 10)
                .pending("a", RegisterModel.cas(null, 1), 20)
                .read("b", 1, 30, 40);

        assertThat(history.check().ok()).isTrue();
        violation(impossible.check());
    }

    @Test
    void manyPendingOperationsDoNotNeedLinearizing() {
        var history = new RegisterHistory().write("a", 1, 0, 10);
        for (int i = 0; i < 30; i++) {
            history.pending("p" + i, RegisterModel.write(100 + i), 20 + i);
        }
        history.read("b", 1, 5, 15);

        assertThat(history.check().ok()).isTrue();
    }

    @Test
    void keysAreIndependent() {
        var history = new RegisterHistory()
                .write("a", "x", 1, 0, 10)
                .read("b", "y", null, 20, 30)
                .write("b", "y", 2, 40, 50)
                .read("a", "x", 1, 60, 70)
                .read("a", "y", 2, 60, 70);

        assertThat(history.check()).isEqualTo(new CheckResult.Linearizable(5, 2));
    }

    @Test
    void findsAViolationOnOneKeyAmongMany() {
        List<Operation<Input<Integer>, Output<Integer>>> history =
                new ArrayList<>(ConcurrentRegisterSimulation.generate(7, 2_000, 10, 5, 0));
        assertThat(LinearizabilityChecker.check(history, RegisterHistory.MODEL).ok())
                .isTrue();
        long end = history.stream().mapToLong(Operation::completeNanos).max().orElseThrow();
        history.add(Operation.completed(
                "w", "k7", RegisterModel.write(1_000), RegisterModel.writeResult(), end + 10, end + 20));
        history.add(Operation.completed(
                "r", "k7", RegisterModel.read(), RegisterModel.readResult(1_001), end + 30, end + 40));

        var violation = violation(LinearizabilityChecker.check(history, RegisterHistory.MODEL));

        assertThat(violation.key()).isEqualTo("k7");
        assertThat(violation.stateAfterPrefix()).isEqualTo(new RegisterModel.State<>(1_000));
    }

    @Test
    void checksTwoThousandConcurrentOperationsWellUnderASecond() {
        var history = ConcurrentRegisterSimulation.generate(42, 2_000, 10, 5, 0.002);

        long start = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(history, RegisterHistory.MODEL);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result).isEqualTo(new CheckResult.Linearizable(history.size(), 10));
        assertThat(took).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void givesUpWithUnknownWhenTheBudgetRunsOut() {
        var history = ConcurrentRegisterSimulation.generate(1, 200, 1, 5, 0);

        CheckResult result = LinearizabilityChecker.check(
                history, RegisterHistory.MODEL, new CheckOptions(50, Duration.ofMinutes(1)));

        assertThat(result).isInstanceOfSatisfying(CheckResult.Unknown.class, unknown -> {
            assertThat(unknown.key()).isEqualTo("k0");
            assertThat(unknown.steps()).isEqualTo(51);
            assertThat(unknown.reason()).contains("step budget");
        });
        assertThat(result.ok()).isFalse();
    }

    @Test
    void rejectsMalformedInput() {
        var mismatched = new RegisterHistory()
                .add(Operation.completed("a", "x", RegisterModel.read(), RegisterModel.writeResult(), 0, 10));

        assertThatThrownBy(mismatched::check).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Operation.completed("a", "x", RegisterModel.read(), null, 10, 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Operation<>(
                        "a", "x", RegisterModel.read(), RegisterModel.readResult(1), 0, Operation.PENDING))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CheckOptions(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CheckOptions(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
