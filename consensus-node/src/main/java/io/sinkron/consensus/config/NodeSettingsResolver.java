package io.sinkron.consensus.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves {@link NodeSettings} from command-line options and environment variables, the names of
 * Sinkron's original design: {@code NODE_ID}, {@code CLUSTER_NODES}, {@code DATA_DIR},
 * {@code SERVER_PORT}, {@code RAFT_*}, {@code FAILURE_DETECTOR_*}, and the options
 * {@code --node-id}, {@code --host}, {@code --port}, {@code --cluster-nodes} (options win).
 *
 * <p>Every problem is reported as one {@link InvalidConfigurationException} whose message names
 * the variable and what is wrong with it.
 */
public final class NodeSettingsResolver {

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private NodeSettingsResolver() {}

    public static NodeSettings resolve(Map<String, String> env, String[] args) {
        Map<String, String> options = parseOptions(args);
        String nodeId = first(options.get("node-id"), env.get("NODE_ID"));
        if (nodeId == null || nodeId.isBlank()) {
            throw new InvalidConfigurationException("NODE_ID (or --node-id) is required, e.g. node-1");
        }
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw new InvalidConfigurationException(
                    "NODE_ID '" + nodeId + "' must be 1-63 letters, digits, '.', '_' or '-'");
        }
        String hostOption = options.get("host");
        String portOption = options.get("port");
        var cluster = parseClusterNodes(first(options.get("cluster-nodes"), env.get("CLUSTER_NODES")));
        if (cluster.isEmpty()) {
            // A cluster of one: itself, at --host/--port (defaults 127.0.0.1:7001).
            String host = hostOption != null ? hostOption : "127.0.0.1";
            int port = portOption != null ? parsePort("--port", portOption) : 7001;
            cluster.put(nodeId, host + ":" + port);
        } else if (!cluster.containsKey(nodeId)) {
            throw new InvalidConfigurationException(
                    "CLUSTER_NODES does not list this node '" + nodeId + "'; it lists " + cluster.keySet());
        }
        String self = cluster.get(nodeId);
        int selfPort = Integer.parseInt(self.substring(self.lastIndexOf(':') + 1));
        int grpcPort = portOption != null ? parsePort("--port", portOption) : selfPort;
        String bindHost = first(hostOption, env.get("BIND_HOST"), "0.0.0.0");

        Path dataDir = Path.of(first(env.get("DATA_DIR"), "./data/" + nodeId));
        int httpPort = parsePort("SERVER_PORT", first(options.get("server.port"), env.get("SERVER_PORT"), "8080"));
        long heartbeat = positive(env, "RAFT_HEARTBEAT_INTERVAL", 100);
        long electionMin = positive(env, "RAFT_ELECTION_TIMEOUT_MIN", 500);
        long electionMax = positive(env, "RAFT_ELECTION_TIMEOUT_MAX", 1000);
        if (!(heartbeat < electionMin && electionMin < electionMax)) {
            throw new InvalidConfigurationException("need RAFT_HEARTBEAT_INTERVAL (" + heartbeat
                    + ") < RAFT_ELECTION_TIMEOUT_MIN (" + electionMin + ") < RAFT_ELECTION_TIMEOUT_MAX ("
                    + electionMax + ")");
        }
        double phi = positiveDouble(env, "FAILURE_DETECTOR_PHI_THRESHOLD", 8.0);
        int window = (int) positive(env, "FAILURE_DETECTOR_WINDOW_SIZE", 100);
        int minSamples = (int) positive(env, "FAILURE_DETECTOR_MIN_SAMPLES", 5);
        if (minSamples > window) {
            throw new InvalidConfigurationException("FAILURE_DETECTOR_MIN_SAMPLES (" + minSamples
                    + ") exceeds FAILURE_DETECTOR_WINDOW_SIZE (" + window + ")");
        }
        long sessionTtl = positive(env, "SESSION_TTL", 3_600_000);
        long clockInterval = positive(env, "RAFT_CLOCK_INTERVAL", 250);
        long snapshotEntries = positive(env, "SNAPSHOT_ENTRIES", 100_000);
        long snapshotKeep = positive(env, "SNAPSHOT_KEEP_ENTRIES", 10_000);
        String joinValue = first(env.get("JOIN"), "false").trim().toLowerCase(java.util.Locale.ROOT);
        if (!joinValue.equals("true") && !joinValue.equals("false")) {
            throw new InvalidConfigurationException("JOIN: '" + env.get("JOIN") + "' is not true or false");
        }
        boolean join = joinValue.equals("true");
        return new NodeSettings(
                nodeId,
                Map.copyOf(cluster),
                bindHost,
                grpcPort,
                dataDir,
                httpPort,
                heartbeat,
                electionMin,
                electionMax,
                phi,
                window,
                minSamples,
                sessionTtl,
                clockInterval,
                snapshotEntries,
                snapshotKeep,
                join);
    }

    /** Checks what can only be checked against the machine: the data directory and the ports. */
    public static void checkEnvironment(NodeSettings s) {
        try {
            Files.createDirectories(s.dataDir());
        } catch (IOException | SecurityException e) {
            throw new InvalidConfigurationException(
                    "DATA_DIR " + s.dataDir().toAbsolutePath() + " cannot be created: " + e);
        }
        if (!Files.isWritable(s.dataDir())) {
            throw new InvalidConfigurationException("DATA_DIR " + s.dataDir().toAbsolutePath() + " is not writable");
        }
        checkPortFree("gRPC port (CLUSTER_NODES/--port)", s.bindHost(), s.grpcPort());
        checkPortFree("SERVER_PORT", "0.0.0.0", s.httpPort());
    }

    private static void checkPortFree(String what, String host, int port) {
        if (port == 0) {
            return;
        }
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new InvalidConfigurationException(what + " " + port + " is already in use on " + host);
        }
    }

    static LinkedHashMap<String, String> parseClusterNodes(String spec) {
        var nodes = new LinkedHashMap<String, String>();
        if (spec == null || spec.isBlank()) {
            return nodes;
        }
        for (String raw : spec.split(",")) {
            String item = raw.trim();
            String[] parts = item.split(":");
            if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new InvalidConfigurationException("CLUSTER_NODES entry '" + item + "' is not node-id:host:port");
            }
            if (!NODE_ID.matcher(parts[0]).matches()) {
                throw new InvalidConfigurationException("CLUSTER_NODES entry '" + item + "' has an invalid node id");
            }
            int port = parsePort("CLUSTER_NODES entry '" + item + "'", parts[2]);
            if (nodes.put(parts[0], parts[1] + ":" + port) != null) {
                throw new InvalidConfigurationException("CLUSTER_NODES lists '" + parts[0] + "' twice");
            }
        }
        return nodes;
    }

    private static int parsePort(String what, String value) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(what + ": '" + value + "' is not a port number (0-65535)");
        }
    }

    private static long positive(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(name + ": '" + v + "' is not a positive integer");
        }
    }

    private static double positiveDouble(Map<String, String> env, String name, double fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            double n = Double.parseDouble(v.trim());
            if (!(n > 0) || Double.isInfinite(n)) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(name + ": '" + v + "' is not a positive number");
        }
    }

    private static Map<String, String> parseOptions(String[] args) {
        var options = new HashMap<String, String>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                continue;
            }
            String body = a.substring(2);
            int eq = body.indexOf('=');
            if (eq >= 0) {
                options.put(body.substring(0, eq), body.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                options.put(body, args[++i]);
            }
        }
        return options;
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
