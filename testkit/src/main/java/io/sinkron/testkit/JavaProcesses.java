package io.sinkron.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code java -jar} child processes of the test JVM. Each logs to its own file. The tests kill
 * their processes themselves, also when they fail; the shutdown hook is for a test JVM that is
 * stopped half way (Ctrl-C, a failsafe fork timeout), which would otherwise leave them running.
 */
final class JavaProcesses {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-test-processes"));
    }

    private JavaProcesses() {}

    static Process launch(Path jar, Map<String, String> env, Path log) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist: package the module first");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Small heaps, the serial collector and no C2: up to six JVMs share two cores with the
        // test, and start faster when they do not spend them on optimising compilations.
        var pb = new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                jar.toAbsolutePath().toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process process = pb.start();
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return process;
    }

    /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux), then waits until it is gone. */
    static void kill9(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
