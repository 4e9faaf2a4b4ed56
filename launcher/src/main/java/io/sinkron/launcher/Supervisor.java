package io.sinkron.launcher;

import io.sinkron.launcher.LocalTopology.Component;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the processes of a local run, follows them, and stops them: services first, so that none
 * of them loses the cluster while it still serves requests, then the consensus nodes. A process
 * that does not end within {@link #GRACE} of SIGTERM is killed; when {@link #stop()} returns, no
 * process of the run is left.
 */
final class Supervisor {

    static final Duration GRACE = Duration.ofSeconds(30);

    private static final Path SH = Path.of("/bin/sh");
    private static final Duration POLL = Duration.ofMillis(500);

    record Child(Component component, Process process, Thread log) {}

    private final Console console;
    private final DataDirectory data;
    private final List<String> javaOptions;
    private final HttpProbe probe = new HttpProbe();
    private final List<Child> children = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;
    private boolean stopped;

    Supervisor(Console console, DataDirectory data, List<String> javaOptions) {
        this.console = console;
        this.data = data;
        this.javaOptions = List.copyOf(javaOptions);
    }

    /** Starts {@code components}, unless the run is already stopping. */
    synchronized void start(List<Component> components) throws IOException {
        for (Component c : components) {
            if (stopped) {
                return;
            }
            Path logFile = logOf(c);
            Process process = launch(c)
                    .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
                    .start();
            Thread log = Thread.ofPlatform()
                    .name("log-" + c.name())
                    .daemon()
                    .start(new ProcessLog(c.name(), logFile, process, console));
            children.add(new Child(c, process, log));
            var entries = new ArrayList<PidFile.Entry>();
            entries.add(PidFile.Entry.of("launcher", ProcessHandle.current()));
            children.forEach(child -> entries.add(
                    PidFile.Entry.of(child.component().name(), child.process().toHandle())));
            data.pids().write(entries);
        }
    }

    private ProcessBuilder launch(Component c) {
        var command = new ArrayList<String>();
        if (Files.isExecutable(SH)) {
            // Ctrl-C signals the terminal's whole foreground process group. The children ignore SIGINT
            // (a JVM started with it ignored keeps it so), so only this launcher reacts, and it stops
            // them in order with SIGTERM instead of all at once.
            command.addAll(List.of(SH.toString(), "-c", "trap '' INT; exec \"$@\"", c.name()));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.add(PortCheck.MARKER + data.path());
        command.add("-jar");
        command.add(c.jar().toString());
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(c.env());
        return builder;
    }

    /**
     * Waits until every one of {@code components} answers its readiness probe.
     *
     * @return false if the run began stopping meanwhile
     * @throws StartFailure if one of them exits, or {@code deadline} passes first
     */
    boolean awaitReady(List<Component> components, Instant deadline) throws StartFailure, InterruptedException {
        var pending = new ArrayList<>(components);
        while (!pending.isEmpty()) {
            if (stopping) {
                return false;
            }
            for (var it = pending.iterator(); it.hasNext(); ) {
                Component c = it.next();
                Process process = childOf(c).process();
                if (!process.isAlive()) {
                    if (stopping) {
                        return false;
                    }
                    throw new StartFailure(c.name() + " exited with code " + process.exitValue()
                            + " while starting; its log is " + logOf(c));
                }
                if (probe.ready(c)) {
                    console.say(c.name() + " is ready");
                    it.remove();
                }
            }
            if (!pending.isEmpty() && Instant.now().isAfter(deadline)) {
                throw new StartFailure("not ready in time: "
                        + pending.stream().map(Component::name).toList() + "; their logs are in " + data.logs());
            }
            if (!pending.isEmpty()) {
                Thread.sleep(POLL);
            }
        }
        return true;
    }

    /**
     * Follows the running processes until all have exited, reporting each that exits on its own:
     * the others keep running, as a cluster that lost a node does.
     */
    void awaitExit() {
        var running = new ArrayList<>(children);
        while (!running.isEmpty()) {
            CompletableFuture.anyOf(
                            running.stream().map(c -> c.process().onExit()).toArray(CompletableFuture[]::new))
                    .join();
            for (var it = running.iterator(); it.hasNext(); ) {
                Child child = it.next();
                if (!child.process().isAlive()) {
                    it.remove();
                    if (!stopping) {
                        console.say(child.component().name() + " exited with code "
                                + child.process().exitValue() + "; the others keep running (its log is "
                                + logOf(child.component()) + ")");
                    }
                }
            }
        }
    }

    boolean stopping() {
        return stopping;
    }

    /** Stops every process of the run; safe to call more than once and from a shutdown hook. */
    void stop() {
        stopping = true;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (children.isEmpty()) {
                return;
            }
            console.say("stopping: the services first, then the consensus nodes");
            terminate(LocalTopology.Kind.SERVICE);
            terminate(LocalTopology.Kind.NODE);
            // A child's own children, if a future version has any, must not outlive the run either.
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            for (Child child : children) {
                try {
                    // The last lines a process wrote are worth reading; its log ends when it has exited.
                    child.log().join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            data.pids().delete();
            console.say(
                    "stopped; data and logs are kept in " + data.path() + " (./sinkron run --clean starts from empty)");
        }
    }

    private void terminate(LocalTopology.Kind kind) {
        List<Child> group = children.stream()
                .filter(c -> c.component().kind() == kind && c.process().isAlive())
                .toList();
        group.forEach(c -> c.process().destroy());
        Instant deadline = Instant.now().plus(GRACE);
        for (Child c : group) {
            try {
                Duration left = Duration.between(Instant.now(), deadline);
                c.process().onExit().get(Math.max(0, left.toMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                console.say(c.component().name() + " did not stop within " + GRACE.toSeconds() + " s; killing it");
                c.process().destroyForcibly();
                c.process().onExit().join();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.process().destroyForcibly();
            }
        }
    }

    private Child childOf(Component c) {
        return children.stream()
                .filter(child -> child.component().equals(c))
                .findFirst()
                .orElseThrow();
    }

    private Path logOf(Component c) {
        return data.logs().resolve(c.name() + ".log");
    }
}
