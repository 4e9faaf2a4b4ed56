package io.sinkron.history;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a concurrent history is linearizable with respect to a {@link Model}: whether
 * every operation can be given a point between its invocation and its completion such that, taken
 * in the order of those points, the operations are a legal sequential execution of the model.
 * Pending operations may be given a point anywhere after their invocation, or none at all.
 *
 * <p>The algorithm is Wing and Gong's depth-first search over linearization orders ("Testing and
 * verifying concurrent objects", 1993) with Lowe's refinements ("Testing for linearizability",
 * 2017), as implemented by Knossos and Porcupine:
 *
 * <ul>
 *   <li>Linearizability is local (Herlihy and Wing, 1990), so the history is partitioned by {@link
 *       Operation#key()} and each key is checked on its own: the cost is that of the hardest key,
 *       not the product of all of them. A model for a single object therefore serves as the model
 *       of a whole key-value store.
 *   <li>Invocations and completions are kept in one time-ordered list. At each step the search may
 *       linearize any operation invoked before the earliest completion still in the list; reaching
 *       a completion means its operation should already have been linearized, so the search
 *       backtracks.
 *   <li>Every (set of linearized operations, model state) pair reached is memoized; reaching it
 *       again by another order cannot lead anywhere new, which prunes the factorial search space to
 *       roughly the number of distinct configurations.
 * </ul>
 *
 * <p>When an invocation and a completion carry the same timestamp, the operations are treated as
 * concurrent, so clock granularity cannot produce a false violation.
 *
 * <p>The check is bounded by {@link CheckOptions}; it is single-threaded and allocates per call,
 * so concurrent calls are independent.
 */
public final class LinearizabilityChecker {

    // How many model steps pass between reads of the clock: often enough to honour the timeout to
    // within a millisecond or so, rarely enough that reading the clock costs nothing measurable.
    private static final int STEPS_BETWEEN_CLOCK_READS = 1024;

    private LinearizabilityChecker() {}

    /** {@link #check(List, Model, CheckOptions)} with {@link CheckOptions#DEFAULT}. */
    public static <S, I, O> CheckResult check(List<Operation<I, O>> history, Model<S, I, O> model) {
        return check(history, model, CheckOptions.DEFAULT);
    }

    /**
     * Checks {@code history} against {@code model}, key by key in order of first appearance.
     *
     * @return {@link CheckResult.Linearizable} if every key's operations are linearizable, {@link
     *     CheckResult.NotLinearizable} for the first key found not to be, or {@link
     *     CheckResult.Unknown} if {@code options}' budget ran out first
     */
    public static <S, I, O> CheckResult check(
            List<Operation<I, O>> history, Model<S, I, O> model, CheckOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        Map<String, List<Operation<I, O>>> byKey = new LinkedHashMap<>();
        for (Operation<I, O> operation : history) {
            byKey.computeIfAbsent(operation.key(), key -> new ArrayList<>()).add(operation);
        }
        var budget = new Budget(options);
        for (var partition : byKey.entrySet()) {
            Optional<CheckResult> failure =
                    new PartitionSearch<>(partition.getKey(), partition.getValue(), model, budget).run();
            if (failure.isPresent()) {
                return failure.get();
            }
        }
        return new CheckResult.Linearizable(history.size(), byKey.size());
    }

    /** Steps and time spent so far across all partitions. */
    private static final class Budget {
        private final long maxSteps;
        private final long timeoutNanos;
        private final long startNanos = System.nanoTime();
        private long steps;
        private String exhausted;

        Budget(CheckOptions options) {
            maxSteps = options.maxSteps();
            // Saturates: a timeout beyond ~292 years is as good as none.
            long nanos;
            try {
                nanos = options.timeout().toNanos();
            } catch (ArithmeticException e) {
                nanos = Long.MAX_VALUE;
            }
            timeoutNanos = nanos;
        }

        /** Accounts for one model step; false once a bound has been exceeded. */
        boolean step() {
            steps++;
            if (steps > maxSteps) {
                exhausted = "step budget of " + maxSteps + " exhausted";
            } else if (steps % STEPS_BETWEEN_CLOCK_READS == 0 && System.nanoTime() - startNanos > timeoutNanos) {
                exhausted = "timeout of " + timeoutNanos / 1_000_000 + " ms exceeded";
            }
            return exhausted == null;
        }
    }

    /**
     * An invocation or completion in the time-ordered doubly linked list the search works on.
     * Linearizing an operation unlinks both its nodes; backtracking relinks them (dancing links), so
     * each move costs constant time.
     */
    private static final class Node {
        final int operation;
        /** For an invocation, its completion; null for a completion and the list head. */
        final Node completion;

        Node prev;
        Node next;

        Node(int operation, Node completion) {
            this.operation = operation;
            this.completion = completion;
        }

        boolean isInvocation() {
            return completion != null;
        }
    }

    private record Event(long time, boolean completion, int operation, Node node) {
        static final Comparator<Event> ORDER = Comparator.comparingLong(Event::time)
                // Invocations first at equal times: touching operations count as concurrent.
                .thenComparing(Event::completion)
                .thenComparingInt(Event::operation);
    }

    private record Frame<S>(Node invocation, S stateBefore) {}

    /** Memo key; the bit set is a private copy, never mutated after construction. */
    private record Configuration(BitSet linearized, Object state) {}

    private static final class PartitionSearch<S, I, O> {
        private final String key;
        private final List<Operation<I, O>> operations;
        private final Model<S, I, O> model;
        private final Budget budget;
        private final Node head = new Node(-1, null);

        private final Deque<Frame<S>> stack = new ArrayDeque<>();
        private final BitSet linearized = new BitSet();
        private final Set<Configuration> seen = new HashSet<>();
        private S state;
        private int completedLeft;

        private int deepest = -1;
        private List<Operation<I, O>> deepestPrefix = List.of();
        private S deepestState;
        private List<Operation<I, O>> deepestCandidates = List.of();

        PartitionSearch(String key, List<Operation<I, O>> operations, Model<S, I, O> model, Budget budget) {
            this.key = key;
            this.operations = operations;
            this.model = model;
            this.budget = budget;
            this.state = model.init();
            link();
        }

        private void link() {
            List<Event> events = new ArrayList<>(2 * operations.size());
            for (int i = 0; i < operations.size(); i++) {
                Operation<I, O> operation = operations.get(i);
                var completion = new Node(i, null);
                events.add(new Event(operation.invokeNanos(), false, i, new Node(i, completion)));
                events.add(new Event(operation.completeNanos(), true, i, completion));
                if (!operation.isPending()) {
                    completedLeft++;
                }
            }
            events.sort(Event.ORDER);
            Node tail = head;
            for (Event event : events) {
                tail.next = event.node;
                event.node.prev = tail;
                tail = event.node;
            }
        }

        /** Empty if the partition is linearizable; otherwise why not, or why it could not tell. */
        Optional<CheckResult> run() {
            recordIfDeepest();
            Node node = head.next;
            // Pending operations never need a linearization point, so the search is done once every
            // completed one has one; their completions sort last, so none is ever reached before.
            while (completedLeft > 0) {
                if (node.isInvocation()) {
                    if (!budget.step()) {
                        return Optional.of(new CheckResult.Unknown(key, budget.steps, budget.exhausted));
                    }
                    Optional<S> next = apply(state, operations.get(node.operation));
                    if (next.isPresent() && firstVisit(node.operation, next.get())) {
                        stack.push(new Frame<>(node, state));
                        state = next.get();
                        linearized.set(node.operation);
                        unlink(node);
                        recordIfDeepest();
                        node = head.next;
                    } else {
                        node = node.next;
                    }
                } else {
                    // A completion whose operation has not been linearized: undo the latest choice
                    // and try the next operation after it instead.
                    if (stack.isEmpty()) {
                        return Optional.of(violation());
                    }
                    Frame<S> frame = stack.pop();
                    state = frame.stateBefore();
                    linearized.clear(frame.invocation().operation);
                    relink(frame.invocation());
                    node = frame.invocation().next;
                }
            }
            return Optional.empty();
        }

        private Optional<S> apply(S before, Operation<I, O> operation) {
            return operation.isPending()
                    ? model.stepWithUnknownOutput(before, operation.input())
                    : model.step(before, operation.input(), operation.output());
        }

        private boolean firstVisit(int operation, S next) {
            BitSet after = (BitSet) linearized.clone();
            after.set(operation);
            return seen.add(new Configuration(after, next));
        }

        private void unlink(Node invocation) {
            invocation.prev.next = invocation.next;
            invocation.next.prev = invocation.prev;
            Node completion = invocation.completion;
            completion.prev.next = completion.next;
            if (completion.next != null) {
                completion.next.prev = completion.prev;
            }
            if (!operations.get(invocation.operation).isPending()) {
                completedLeft--;
            }
        }

        /** Exactly undoes the {@link #unlink} of {@code invocation}, which must be the latest one. */
        private void relink(Node invocation) {
            Node completion = invocation.completion;
            completion.prev.next = completion;
            if (completion.next != null) {
                completion.next.prev = completion;
            }
            invocation.prev.next = invocation;
            invocation.next.prev = invocation;
            if (!operations.get(invocation.operation).isPending()) {
                completedLeft++;
            }
        }

        private void recordIfDeepest() {
            if (stack.size() <= deepest) {
                return;
            }
            deepest = stack.size();
            List<Operation<I, O>> prefix = new ArrayList<>(deepest);
            // The stack's top is the latest choice; the prefix is read from the bottom up.
            stack.descendingIterator()
                    .forEachRemaining(frame -> prefix.add(operations.get(frame.invocation().operation)));
            deepestPrefix = prefix;
            deepestState = state;
            List<Operation<I, O>> candidates = new ArrayList<>();
            for (Node node = head.next; node != null && node.isInvocation(); node = node.next) {
                candidates.add(operations.get(node.operation));
            }
            deepestCandidates = candidates;
        }

        private CheckResult violation() {
            var text = new StringBuilder()
                    .append("Operations on key ")
                    .append(key)
                    .append(" are not linearizable.\n")
                    .append("Longest linearizable prefix found, ")
                    .append(deepestPrefix.size())
                    .append(" of ")
                    .append(operations.size())
                    .append(" operations:\n");
            for (int i = 0; i < deepestPrefix.size(); i++) {
                text.append("  ")
                        .append(i + 1)
                        .append(". ")
                        .append(deepestPrefix.get(i))
                        .append('\n');
            }
            text.append("Model state after it: ").append(deepestState).append('\n');
            text.append("Operations that could come next, none of which leads to a linearization:\n");
            for (Operation<I, O> candidate : deepestCandidates) {
                String verdict = apply(deepestState, candidate).isPresent()
                        ? "legal here, but leads to a dead end"
                        : "illegal in this state";
                text.append("  - ")
                        .append(candidate)
                        .append(": ")
                        .append(verdict)
                        .append('\n');
            }
            return new CheckResult.NotLinearizable(
                    key,
                    List.<Operation<?, ?>>copyOf(deepestPrefix),
                    deepestState,
                    List.<Operation<?, ?>>copyOf(deepestCandidates),
                    text.toString());
        }
    }
}
