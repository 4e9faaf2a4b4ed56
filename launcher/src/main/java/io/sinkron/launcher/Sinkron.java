package io.sinkron.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./sinkron}: a complete Sinkron on this machine. The script at the top of the checkout
 * runs this file with the JDK's source launcher, so it needs no build of its own; it checks the
 * JDK first and runs the demo itself.
 */
public final class Sinkron {

    static final String HELP = """
            Usage: ./sinkron <command> [options]

            Commands
              run      build the jars if they are missing, start 3 consensus nodes, lock-service,
                       queue-service and two cache-service instances on 127.0.0.1, print their URLs,
                       stream their logs; Ctrl-C stops everything
              demo     show locks, queues and the cache at work against a running local Sinkron
              status   tell whether each process is ready, and which node leads
              stop     stop a local run from another terminal, or one whose launcher was killed
              help     this text

            Options
              --clean              (run) delete the nodes' data and the logs of earlier runs first
              --build              (run) rebuild the jars even if they exist
              --no-build           (run) never build; fail if a jar is missing
              --data-dir DIR       where data and logs live (default: .sinkron-local in the checkout)
              --port-offset N      add N to every port (default: $SINKRON_PORT_OFFSET or 0)
              --start-timeout S    (run) seconds to wait for everything to be ready (default 180)

            Ports (plus the offset)
              node-1, node-2, node-3   gRPC 7001-7003, HTTP 8001-8003 (/status, /actuator/prometheus)
              lock-service             HTTP 8081 (/swagger-ui.html)
              queue-service            HTTP 8082
              cache-service cache-a    HTTP 8083
              cache-service cache-b    HTTP 8084

            Environment
              JAVA_HOME           the JDK 25 to build and run with (else java on the PATH)
              SINKRON_JAVA_OPTS   JVM options of every process (default: -Xmx256m -XX:+UseSerialGC
                                  -XX:TieredStopAtLevel=1)
              Any variable of docs/operations.md (RAFT_HEARTBEAT_INTERVAL, CACHE_MAX_ENTRIES, ...) set
              here reaches every process; the run sets ports, addresses, data and log format itself.
            """;

    private Sinkron() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("sinkron.root", "."))
                .toAbsolutePath()
                .normalize();
        Options options;
        try {
            options = Options.parse(List.of(args), System.getenv(), root);
        } catch (UsageException e) {
            System.err.println("sinkron: " + e.getMessage() + " (./sinkron help lists commands and options)");
            System.exit(2);
            return;
        }
        int code;
        try {
            code = run(options, root);
        } catch (UsageException e) {
            System.err.println("sinkron: " + e.getMessage());
            code = 2;
        }
        System.exit(code);
    }

    private static int run(Options options, Path root) throws IOException, InterruptedException {
        return switch (options.command()) {
            case HELP -> {
                System.out.print(HELP);
                yield 0;
            }
            case RUN -> new RunCommand(options, root, Console.system(), System.err, System.getenv()).run();
            case STATUS ->
                new StatusCommand(new LocalTopology(root, options.dataDir(), options.portOffset()), System.out).run();
            case STOP -> new StopCommand(PidFile.in(options.dataDir()), System.out).run();
        };
    }
}
