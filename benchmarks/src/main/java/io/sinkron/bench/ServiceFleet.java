package io.sinkron.bench;

import io.sinkron.testkit.ReservedPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP processes beside a cluster: Sinkron's services from their jars, configured as
 * docs/operations.md says ({@code CONSENSUS_NODES}, {@code SERVER_PORT}, {@code CACHE_INSTANCE_ID}),
 * and the trivial {@link ConstantJsonApp}. Each listens on a port free a moment before and logs
 * to its own file.
 */
final class ServiceFleet implements AutoCloseable {

    /** One started process and where it answers. */
    record Service(String name, Process process, int port, String readyPath) {
        String endpoint() {
            return "127.0.0.1:" + port;
        }
    }

    private final Path dir;
    private final List<String> jvmArgs;
    private final Map<String, Service> services = new LinkedHashMap<>();

    ServiceFleet(Path dir, List<String> jvmArgs) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    /** A service jar; {@code env} adds to {@code CONSENSUS_NODES} and {@code SERVER_PORT}. */
    Service startJar(String name, Path jar, String consensusNodes, Map<String, String> env) throws IOException {
        int port = ReservedPorts.take(1)[0];
        var all = new LinkedHashMap<>(env);
        all.put("CONSENSUS_NODES", consensusNodes);
        all.put("SERVER_PORT", Integer.toString(port));
        return launch(name, port, List.of("-jar", jar.toAbsolutePath().toString()), all, "/actuator/health/readiness");
    }

    /** {@link ConstantJsonApp} on this program's class path. */
    Service startConstantApp() throws IOException {
        int port = ReservedPorts.take(1)[0];
        return launch(
                "constant-json",
                port,
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        ConstantJsonApp.class.getName(),
                        "--server.port=" + port),
                Map.of(),
                ConstantJsonApp.PATH);
    }

    private Service launch(String name, int port, List<String> args, Map<String, String> env, String readyPath)
            throws IOException {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(args);
        var builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
        var service = new Service(name, builder.start(), port, readyPath);
        services.put(name, service);
        return service;
    }

    Service get(String name) {
        return services.get(name);
    }

    /** Waits until every process answers 200 on its readiness path. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Service s : services.values()) {
            while (Http.get("http://" + s.endpoint() + s.readyPath()) == null) {
                if (!s.process().isAlive()) {
                    throw new IllegalStateException(s.name() + " exited; see " + dir.resolve(s.name() + ".log"));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            s.name() + " not ready within " + timeout + "; see " + dir.resolve(s.name() + ".log"));
                }
                Thread.sleep(100);
            }
        }
    }

    long[] pids() {
        return services.values().stream()
                .mapToLong(s -> s.process().isAlive() ? s.process().pid() : -1)
                .toArray();
    }

    @Override
    public void close() throws InterruptedException {
        for (Service s : services.values()) {
            s.process().destroyForcibly();
            s.process().waitFor();
        }
    }
}
