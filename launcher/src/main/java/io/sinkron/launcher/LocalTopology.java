package io.sinkron.launcher;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The processes of a local Sinkron on 127.0.0.1, with fixed ports so that URLs in the docs work:
 * node-N serves gRPC on 700N and HTTP on 800N; lock-service 8081, queue-service 8082 and the two
 * cache-service instances 8083 and 8084. A port offset moves every port by the same amount.
 */
final class LocalTopology {

    static final String HOST = "127.0.0.1";
    static final int NODES = 3;

    enum Kind {
        NODE,
        SERVICE
    }

    /**
     * One process.
     *
     * @param name its prefix in the merged log, also its log file's name
     * @param title what it is, for people
     * @param grpcPort the consensus gRPC port of a node, 0 for a service
     */
    record Component(
            String name, String title, Kind kind, Path jar, int httpPort, int grpcPort, Map<String, String> env) {

        URI url(String path) {
            return URI.create("http://" + HOST + ":" + httpPort + path);
        }

        URI readiness() {
            return url("/actuator/health/readiness");
        }
    }

    private final List<Component> components;

    LocalTopology(Path root, Path dataDir, int portOffset) {
        int highest = 8084 + portOffset;
        int lowest = 7001 + portOffset;
        if (lowest < 1024 || highest > 65535) {
            throw new UsageException("port offset " + portOffset + " puts ports at " + lowest + ".." + highest
                    + "; they must stay within 1024..65535");
        }
        var list = new ArrayList<Component>();
        String clusterNodes = IntStream.rangeClosed(1, NODES)
                .mapToObj(i -> "node-" + i + ":" + HOST + ":" + (7000 + i + portOffset))
                .collect(Collectors.joining(","));
        String consensusNodes = IntStream.rangeClosed(1, NODES)
                .mapToObj(i -> HOST + ":" + (7000 + i + portOffset))
                .collect(Collectors.joining(","));
        for (int i = 1; i <= NODES; i++) {
            var env = common(8000 + i + portOffset);
            env.put("NODE_ID", "node-" + i);
            env.put("CLUSTER_NODES", clusterNodes);
            env.put("BIND_HOST", HOST);
            env.put("DATA_DIR", dataDir.resolve("node-" + i).toString());
            list.add(new Component(
                    "node-" + i,
                    "consensus node " + i,
                    Kind.NODE,
                    root.resolve("consensus-node/target/consensus-node.jar"),
                    8000 + i + portOffset,
                    7000 + i + portOffset,
                    Map.copyOf(env)));
        }
        list.add(service("lock", "lock-service", root, 8081 + portOffset, consensusNodes, Map.of()));
        list.add(service("queue", "queue-service", root, 8082 + portOffset, consensusNodes, Map.of()));
        list.add(service(
                "cache-a",
                "cache-service",
                root,
                8083 + portOffset,
                consensusNodes,
                Map.of("CACHE_INSTANCE_ID", "cache-a")));
        list.add(service(
                "cache-b",
                "cache-service",
                root,
                8084 + portOffset,
                consensusNodes,
                Map.of("CACHE_INSTANCE_ID", "cache-b")));
        this.components = List.copyOf(list);
    }

    private static Component service(
            String name, String module, Path root, int port, String consensusNodes, Map<String, String> extra) {
        var env = common(port);
        env.put("CONSENSUS_NODES", consensusNodes);
        // The API description and Swagger UI are what a local run is for; saying so silences
        // springdoc's warning that they are on by default.
        env.put("SPRINGDOC_API_DOCS_ENABLED", "true");
        env.put("SPRINGDOC_SWAGGER_UI_ENABLED", "true");
        env.putAll(extra);
        String title = extra.containsKey("CACHE_INSTANCE_ID")
                ? module + " (instance " + extra.get("CACHE_INSTANCE_ID") + ")"
                : module;
        return new Component(
                name,
                title,
                Kind.SERVICE,
                root.resolve(module + "/target/" + module + ".jar"),
                port,
                0,
                Map.copyOf(env));
    }

    /** What every process gets: its port, the loopback interface only, and plain-text logs. */
    private static Map<String, String> common(int httpPort) {
        var env = new LinkedHashMap<String, String>();
        env.put("SERVER_PORT", String.valueOf(httpPort));
        env.put("SERVER_ADDRESS", HOST);
        // The nodes log ECS JSON unless LOG_FORMAT is empty; a service that turns structured logging on
        // the standard way is switched back by the empty property. People read this log, machines do not.
        env.put("LOG_FORMAT", "");
        env.put("LOGGING_STRUCTURED_FORMAT_CONSOLE", "");
        // The prefix of the merged log already names the process, so the pattern leaves out pid and name.
        env.put("LOGGING_PATTERN_CONSOLE", "%d{HH:mm:ss.SSS} %5p [%15.15t] %-40.40logger{39} : %m%n%wEx");
        return env;
    }

    List<Component> all() {
        return components;
    }

    List<Component> nodes() {
        return components.stream().filter(c -> c.kind() == Kind.NODE).toList();
    }

    List<Component> services() {
        return components.stream().filter(c -> c.kind() == Kind.SERVICE).toList();
    }

    /** Every port the run listens on, with what listens there. */
    Map<Integer, String> ports() {
        var ports = new LinkedHashMap<Integer, String>();
        for (Component c : components) {
            if (c.grpcPort() != 0) {
                ports.put(c.grpcPort(), c.name() + " gRPC");
            }
            ports.put(c.httpPort(), c.name() + " HTTP");
        }
        return ports;
    }

    /** The distinct jars the run needs. */
    List<Path> jars() {
        return components.stream().map(Component::jar).distinct().toList();
    }
}
