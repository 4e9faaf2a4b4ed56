package io.sinkron.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A load generator in a process of its own, so that its CPU, heap and GC are not the
 * orchestrator's and two of them can run side by side. Reads its {@code PHASE} and result lines.
 */
final class GeneratorProcess {

    private final Process process;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>();
    private final Duration timeout;

    /**
     * @param command the program and its arguments; it prints {@code PHASE ...} lines and a last
     *     result line
     * @param onPhase told each {@code PHASE} as it is printed
     */
    GeneratorProcess(List<String> command, Path log, Duration timeout, Consumer<String> onPhase) throws IOException {
        this.timeout = timeout;
        var builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        this.process = builder.start();
        this.reader = Thread.ofPlatform().daemon().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("PHASE ")) {
                        onPhase.accept(line.substring("PHASE ".length()));
                    }
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                // The process died; finish() reports the missing result.
            }
        });
    }

    /** The JVM load generator with {@code args}, on this program's own class path. */
    static List<String> javaCommand(List<String> args) {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LoadGenerator.class.getName());
        command.addAll(args);
        return command;
    }

    /** Waits for the process to exit and returns the line starting with {@code prefix}. */
    String finish(String prefix) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.destroyForcibly();
            process.waitFor();
        }
        reader.join(5_000);
        synchronized (lines) {
            for (String line : lines) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }
        throw new IllegalStateException("load generator " + (exited ? "exited " + process.exitValue() : "timed out")
                + " without a result; see its log");
    }

    long pid() {
        return process.pid();
    }
}
