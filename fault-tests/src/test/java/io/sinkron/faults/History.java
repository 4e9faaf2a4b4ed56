package io.sinkron.faults;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every client operation of a run, as Jepsen records it: when it was invoked and when it completed,
 * with one of three outcomes. {@code ok}: it took effect with the result shown. {@code fail}: it
 * certainly did not take effect (a 4xx refusal). {@code info}: unknown (a 503 for a command, a
 * timeout, a dropped connection): it may take effect at any time after its invocation, or never.
 */
final class History {

    enum Outcome {
        OK,
        FAIL,
        INFO
    }

    /** A completed record; {@code invokeNanos} and {@code completeNanos} are on the test JVM's {@link System#nanoTime()}. */
    record Event(
            long index,
            String process,
            String workload,
            String f,
            String key,
            String value,
            Outcome outcome,
            String result,
            long invokeNanos,
            long completeNanos) {}

    /** An operation in flight: completed exactly once by {@link #ok}, {@link #fail} or {@link #info}. */
    final class Op {
        private final long index = counter.incrementAndGet();
        private final String process;
        private final String workload;
        private final String f;
        private final String key;
        private final String value;
        private final long invokeNanos = System.nanoTime();

        private Op(String process, String workload, String f, String key, String value) {
            this.process = process;
            this.workload = workload;
            this.f = f;
            this.key = key;
            this.value = value;
        }

        long invokeNanos() {
            return invokeNanos;
        }

        long ok(String result) {
            return complete(Outcome.OK, result);
        }

        long fail(String result) {
            return complete(Outcome.FAIL, result);
        }

        long info(String result) {
            return complete(Outcome.INFO, result);
        }

        private long complete(Outcome outcome, String result) {
            long now = System.nanoTime();
            events.add(new Event(index, process, workload, f, key, value, outcome, result, invokeNanos, now));
            return now;
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AtomicLong counter = new AtomicLong();
    private final Queue<Event> events = new ConcurrentLinkedQueue<>();

    Op invoke(String process, String workload, String f, String key, String value) {
        return new Op(process, workload, f, key, value);
    }

    List<Event> events() {
        return events.stream().sorted(Comparator.comparingLong(Event::index)).toList();
    }

    /** Operations per workload and outcome, e.g. {@code lock={OK=120, FAIL=30, INFO=2}}. */
    Map<String, Map<Outcome, Long>> counts() {
        return events.stream()
                .collect(Collectors.groupingBy(
                        Event::workload,
                        java.util.TreeMap::new,
                        Collectors.groupingBy(
                                Event::outcome, () -> new EnumMap<>(Outcome.class), Collectors.counting())));
    }

    int size() {
        return events.size();
    }

    /** Writes the history as JSON lines, one operation a line, in invocation order. */
    void write(Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file)) {
            for (Event e : events()) {
                out.write(JSON.writeValueAsString(e));
                out.write('\n');
            }
        }
    }
}
