package io.sinkron.launcher;

import io.sinkron.launcher.LocalTopology.Component;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code ./sinkron run}: build if needed, check the ports, start everything, wait until ready. */
final class RunCommand {

    /** Small heaps and a quick start: seven JVMs share a laptop. SINKRON_JAVA_OPTS replaces these. */
    static final List<String> DEFAULT_JAVA_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Options options;
    private final Path root;
    private final Console console;
    private final PrintStream err;
    private final Map<String, String> env;

    RunCommand(Options options, Path root, Console console, PrintStream err, Map<String, String> env) {
        this.options = options;
        this.root = root;
        this.console = console;
        this.err = err;
        this.env = env;
    }

    /** @return the exit code: 0 never (a run ends by a signal), 1 if it failed, 2 for a usage problem */
    int run() throws IOException, InterruptedException {
        var topology = new LocalTopology(root, options.dataDir(), options.portOffset());
        ensureJars(topology);
        try (var data = DataDirectory.lock(options.dataDir())) {
            var busy = PortCheck.busy(topology.ports());
            if (!busy.isEmpty()) {
                busy.forEach(b -> err.println("sinkron: " + b.describe()));
                busy.stream()
                        .flatMap(b -> b.localRun().stream())
                        .distinct()
                        .forEach(dir -> err.println("sinkron: the local run in " + dir
                                + " still runs; Ctrl-C in its terminal or ./sinkron stop --data-dir " + dir
                                + " ends it"));
                err.println("sinkron: free the ports, or move every port with --port-offset N");
                return 2;
            }
            List<String> nodeNames =
                    topology.nodes().stream().map(Component::name).toList();
            if (options.clean()) {
                data.clean(nodeNames);
                console.say("--clean: deleted the nodes' data and the logs in " + data.path());
            }
            data.claimPortOffset(options.portOffset(), nodeNames);
            var supervisor = new Supervisor(console, data, javaOptions());
            Runtime.getRuntime()
                    .addShutdownHook(Thread.ofPlatform().name("sinkron-stop").unstarted(supervisor::stop));
            Instant deadline = Instant.now().plus(options.startTimeout());
            try {
                console.say("starting " + topology.nodes().size() + " consensus nodes; data in " + data.path());
                supervisor.start(topology.nodes());
                if (!supervisor.awaitReady(topology.nodes(), deadline)) {
                    return 1;
                }
                console.say("the cluster has a leader; starting the services");
                supervisor.start(topology.services());
                if (!supervisor.awaitReady(topology.services(), deadline)) {
                    return 1;
                }
            } catch (StartFailure e) {
                console.say(e.getMessage());
                supervisor.stop();
                return 1;
            }
            banner(topology, data.path());
            supervisor.awaitExit();
            if (!supervisor.stopping()) {
                console.say("every process has exited");
            }
            return 1;
        }
    }

    private void ensureJars(LocalTopology topology) {
        var build = new JarBuild(root, console);
        List<Path> missing = JarBuild.missing(topology.jars());
        switch (options.build()) {
            case ALWAYS -> build.build();
            case NEVER -> {
                if (!missing.isEmpty()) {
                    throw new UsageException("missing " + missing + " (--no-build was given)");
                }
            }
            case IF_MISSING -> {
                if (!missing.isEmpty()) {
                    console.say("missing "
                            + missing.stream()
                                    .map(p -> p.getFileName().toString())
                                    .toList());
                    build.build();
                }
            }
        }
        List<Path> stale = build.stale(topology.jars());
        if (!stale.isEmpty()) {
            console.say("older than their sources: "
                    + stale.stream().map(p -> p.getFileName().toString()).toList()
                    + "; ./sinkron run --build rebuilds them");
        }
    }

    private List<String> javaOptions() {
        String custom = env.get("SINKRON_JAVA_OPTS");
        List<String> base = custom == null || custom.isBlank()
                ? DEFAULT_JAVA_OPTIONS
                : Arrays.stream(custom.strip().split("\\s+")).toList();
        // Netty's native transport loads a library; without this every process warns about it at start.
        return java.util.stream.Stream.concat(
                        base.stream(), java.util.stream.Stream.of("--enable-native-access=ALL-UNNAMED"))
                .toList();
    }

    private void banner(LocalTopology topology, Path dataDir) {
        console.say("Sinkron is running on " + LocalTopology.HOST + ":");
        for (Component c : topology.services()) {
            console.say(String.format(
                    "  %-34s Swagger UI %s   API %s", c.title(), c.url("/swagger-ui.html"), c.url("/v3/api-docs")));
        }
        for (Component c : topology.nodes()) {
            console.say(String.format(
                    "  %-34s %s   gRPC %s:%d", c.title(), c.url("/status"), LocalTopology.HOST, c.grpcPort()));
        }
        console.say("  metrics: /actuator/prometheus on every port above; health: /actuator/health/readiness");
        console.say("  data and logs: " + dataDir);
        console.say("try it: ./sinkron demo"
                + (options.portOffset() == 0 ? "" : " --port-offset " + options.portOffset()) + "   stop: Ctrl-C");
    }
}
