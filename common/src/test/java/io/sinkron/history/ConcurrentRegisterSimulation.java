package io.sinkron.history;

import io.sinkron.history.RegisterModel.Input;
import io.sinkron.history.RegisterModel.Output;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Produces linearizable histories by construction: clients issue sequential operations with
 * overlapping random intervals, each operation takes effect on a real register at a random point
 * inside its interval, and outputs are what the register returned. A client whose operation times
 * out moves on, leaving it pending: it took effect or not at random, possibly after the timeout.
 */
final class ConcurrentRegisterSimulation {

    private record Planned(
            String client,
            String key,
            Input<Integer> input,
            long invoke,
            long complete,
            long effect,
            boolean pending) {}

    private ConcurrentRegisterSimulation() {}

    static List<Operation<Input<Integer>, Output<Integer>>> generate(
            long seed, int operations, int keys, int clients, double pendingProbability) {
        var random = new Random(seed);
        List<Planned> planned = new ArrayList<>();
        int perClient = operations / clients;
        for (int c = 0; c < clients; c++) {
            long time = random.nextInt(50);
            for (int i = 0; i < perClient; i++) {
                long invoke = time + random.nextInt(20);
                long complete = invoke + 1 + random.nextInt(100);
                boolean pending = random.nextDouble() < pendingProbability;
                // A request that timed out may still be executed later, e.g. from a retransmission queue.
                long latestEffect = pending ? complete + 300 : complete;
                long effect = invoke + random.nextLong(latestEffect - invoke + 1);
                String key = "k" + random.nextInt(keys);
                planned.add(new Planned("c" + c, key, randomInput(random), invoke, complete, effect, pending));
                time = complete;
            }
        }
        planned.sort(Comparator.comparingLong(Planned::effect));
        Map<String, Integer> registers = new HashMap<>();
        List<Operation<Input<Integer>, Output<Integer>>> history = new ArrayList<>();
        for (Planned p : planned) {
            if (p.pending()) {
                if (random.nextBoolean()) {
                    apply(registers, p.key(), p.input());
                }
                history.add(Operation.pending(p.client(), p.key(), p.input(), p.invoke()));
            } else {
                Output<Integer> output = apply(registers, p.key(), p.input());
                history.add(Operation.completed(p.client(), p.key(), p.input(), output, p.invoke(), p.complete()));
            }
        }
        history.sort(Comparator.comparingLong(Operation::invokeNanos));
        return history;
    }

    private static Input<Integer> randomInput(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> RegisterModel.read();
            case 1 -> RegisterModel.write(random.nextInt(10));
            default -> RegisterModel.cas(random.nextInt(10), random.nextInt(10));
        };
    }

    static Output<Integer> apply(Map<String, Integer> registers, String key, Input<Integer> input) {
        Integer current = registers.get(key);
        return switch (input) {
            case RegisterModel.Read<Integer> _ -> RegisterModel.readResult(current);
            case RegisterModel.Write<Integer>(Integer value) -> {
                registers.put(key, value);
                yield RegisterModel.writeResult();
            }
            case RegisterModel.Cas<Integer>(Integer expected, Integer update) -> {
                boolean swapped = java.util.Objects.equals(current, expected);
                if (swapped) {
                    registers.put(key, update);
                }
                yield RegisterModel.casResult(swapped);
            }
        };
    }
}
