package io.sinkron.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real service jar ({@code lock-service.jar}, {@code queue-service.jar}) as its own process on
 * 127.0.0.1, configured the way it is deployed: {@code CONSENSUS_NODES} and {@code SERVER_PORT}.
 * It logs to {@code <dir>/<name>.log}.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Path log;
    private final int port;
    private final Process process;

    private ServiceProcess(String name, Path log, int port, Process process) {
        this.name = name;
        this.log = log;
        this.port = port;
        this.process = process;
    }

    public static ServiceProcess start(Path jar, Path dir, String name, String consensusNodes) throws IOException {
        return start(jar, dir, name, consensusNodes, Map.of());
    }

    /** With more environment variables, e.g. a setting under test. */
    public static ServiceProcess start(Path jar, Path dir, String name, String consensusNodes, Map<String, String> env)
            throws IOException {
        int port = ReservedPorts.take(1)[0];
        Path log = dir.resolve(name + ".log");
        var all = new HashMap<>(env);
        all.put("CONSENSUS_NODES", consensusNodes);
        all.put("SERVER_PORT", String.valueOf(port));
        return new ServiceProcess(name, log, port, JavaProcesses.launch(jar, all, log));
    }

    /** Waits until the service reports itself ready, which includes reaching the consensus cluster. */
    public void awaitReady(Duration timeout) {
        await(name + " ready (log: " + log + ")")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
                    }
                    try {
                        return Http.get(uri("/actuator/health/readiness"), Duration.ofSeconds(2))
                                        .status()
                                == 200;
                    } catch (IOException notUpYet) {
                        return false;
                    }
                });
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        JavaProcesses.kill9(process);
    }

    @Override
    public String toString() {
        return name;
    }
}
