package io.sinkron.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The processes of a running local Sinkron, so that {@code ./sinkron stop} can end a run whose
 * launcher was killed. Each is recorded with its start time: a recorded pid that now belongs to
 * another process is never signalled.
 */
record PidFile(Path file) {

    static final String NAME = "sinkron.pid";

    /** The pid file of the run that uses {@code dataDir}. */
    static PidFile in(Path dataDir) {
        return new PidFile(dataDir.resolve(NAME));
    }

    record Entry(String name, long pid, long startMillis) {

        static Entry of(String name, ProcessHandle process) {
            return new Entry(
                    name,
                    process.pid(),
                    process.info().startInstant().map(i -> i.toEpochMilli()).orElse(-1L));
        }

        /** The recorded process, if it still runs. */
        Optional<ProcessHandle> live() {
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> h.info()
                            .startInstant()
                            .map(i -> i.toEpochMilli() == startMillis)
                            .orElse(false));
        }
    }

    void write(List<Entry> entries) {
        String text = entries.stream()
                .map(e -> e.name() + " " + e.pid() + " " + e.startMillis())
                .collect(Collectors.joining("\n", "", "\n"));
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Entry> read() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .map(l -> l.split(" "))
                    .filter(f -> f.length == 3)
                    .map(f -> new Entry(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
