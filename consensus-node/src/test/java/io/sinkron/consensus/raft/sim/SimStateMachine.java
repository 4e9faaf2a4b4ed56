package io.sinkron.consensus.raft.sim;

import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.EntryType;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A key-value register per key, the simulation's replicated state machine. Commands are text:
 * {@code opId|put|key|value} or {@code opId|cas|key|expected|value}; results are text too. A leader's
 * clock entry, {@code 0|clock|millis}, changes nothing.
 */
final class SimStateMachine {

    private final Map<String, String> values = new HashMap<>();
    long applied;

    void reset() {
        values.clear();
        applied = 0;
    }

    /** Applies one committed entry and returns the result of its command (or null for no-ops). */
    String apply(Entry e) {
        if (e.index() != applied + 1) {
            throw new AssertionError("applied " + e.index() + " after " + applied);
        }
        applied = e.index();
        if (e.type() != EntryType.COMMAND) {
            return null;
        }
        String[] parts = new String(e.data(), StandardCharsets.UTF_8).split("\\|");
        return switch (parts[1]) {
            case "put" -> {
                values.put(parts[2], parts[3]);
                yield "ok";
            }
            case "cas" -> {
                boolean matches = parts[3].equals(values.getOrDefault(parts[2], "-"));
                if (matches) {
                    values.put(parts[2], parts[4]);
                }
                yield Boolean.toString(matches);
            }
            case "clock" -> "ok";
            default -> throw new AssertionError("unknown command " + parts[1]);
        };
    }

    String read(String key) {
        return values.get(key);
    }

    /** The state as a snapshot would hold it. */
    Map<String, String> copy() {
        return new HashMap<>(values);
    }

    void restore(Map<String, String> state, long index) {
        values.clear();
        values.putAll(state);
        applied = index;
    }
}
