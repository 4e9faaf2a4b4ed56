package io.sinkron.deploy;

import io.sinkron.testkit.ReservedPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Processes a test starts on 127.0.0.1, each logging to target/live/&lt;name&gt;.log, all stopped
 * on {@link #close()} or, should the test JVM be stopped first, by its shutdown hook, so that no
 * process outlives the build.
 */
final class LocalProcesses implements AutoCloseable {

    static final Path LOGS = Path.of("target/live").toAbsolutePath();

    private final List<Process> started = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stopAll, "stop-local-processes");

    LocalProcesses() {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A Spring Boot jar, run with the build's Java and JVM options that start small JVMs fast. */
    Process startJar(String name, Path jar, Map<String, String> env) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return start(
                name,
                List.of(
                        java.toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xmx256m",
                        "-jar",
                        jar.toString()),
                env);
    }

    synchronized Process start(String name, List<String> command, Map<String, String> env) {
        try {
            Files.createDirectories(LOGS);
            var builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            builder.redirectErrorStream(true)
                    .redirectOutput(LOGS.resolve(name + ".log").toFile());
            Process process = builder.start();
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    static int freePort() {
        return ReservedPorts.take(1)[0];
    }

    @Override
    public void close() {
        stopAll();
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }

    /** SIGTERM to all at once, then SIGKILL to any that has not exited within 20 seconds. */
    private synchronized void stopAll() {
        started.forEach(Process::destroy);
        for (Process p : started) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        started.clear();
    }
}
