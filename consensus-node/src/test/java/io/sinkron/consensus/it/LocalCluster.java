package io.sinkron.consensus.it;

import static org.awaitility.Awaitility.await;

import io.sinkron.testkit.ReservedPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Real {@code consensus-node.jar} processes on 127.0.0.1, for tests that kill, pause and restart
 * them. Each node logs to {@code <dir>/node-N.log}; the test reports point there on failure.
 */
final class LocalCluster implements AutoCloseable {

    /** How long JVMs may take to start and elect: generous, since test machines can be loaded. */
    static final Duration STARTUP = Duration.ofMinutes(3);

    static final Path JAR = Path.of(System.getProperty("sinkron.consensusJar", "target/consensus-node.jar"));
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    final Path dir;
    final int size;
    final int[] grpcPorts;
    final int[] httpPorts;
    final Process[] processes;
    /** Nodes expected to agree on the leader; joining and removed nodes are left out. */
    final boolean[] voting;

    private final Map<String, String> extraEnv = new LinkedHashMap<>();

    LocalCluster(Path dir, int size) throws IOException {
        this.dir = dir;
        this.size = size;
        this.grpcPorts = ReservedPorts.take(size);
        this.httpPorts = ReservedPorts.take(size);
        this.processes = new Process[size];
        this.voting = new boolean[size];
        java.util.Arrays.fill(voting, true);
    }

    /** Environment added to every node started from now on. */
    LocalCluster withEnv(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    String clusterNodes() {
        return clusterNodes(size);
    }

    /** CLUSTER_NODES naming the first {@code n} nodes. */
    String clusterNodes(int n) {
        var b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",")
                    .append("node-")
                    .append(i + 1)
                    .append(":127.0.0.1:")
                    .append(grpcPorts[i]);
        }
        return b.toString();
    }

    String clientAddresses() {
        var b = new StringBuilder();
        for (int i = 0; i < size; i++) {
            b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(grpcPorts[i]);
        }
        return b.toString();
    }

    LocalCluster startAll() throws IOException {
        for (int i = 0; i < size; i++) {
            start(i);
        }
        return this;
    }

    void start(int i) throws IOException {
        start(i, clusterNodes(), false);
    }

    /** Starts node {@code i} with its own view of the cluster; {@code join} waits to be added. */
    void start(int i, String clusterNodes, boolean join) throws IOException {
        var env = new LinkedHashMap<String, String>();
        env.put("NODE_ID", "node-" + (i + 1));
        env.put("CLUSTER_NODES", clusterNodes);
        env.put("JOIN", String.valueOf(join));
        env.put("SERVER_PORT", String.valueOf(httpPorts[i]));
        env.put("DATA_DIR", dir.resolve("data-" + (i + 1)).toString());
        env.putAll(extraEnv);
        processes[i] = launch(env, dir.resolve("node-" + (i + 1) + ".log"));
    }

    static Process launch(Map<String, String> env, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-jar",
                JAR.toAbsolutePath().toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    void kill9(int i) throws InterruptedException {
        processes[i].destroyForcibly();
        processes[i].waitFor();
    }

    void signal(int i, String signal) throws IOException, InterruptedException {
        var p = new ProcessBuilder("kill", "-" + signal, String.valueOf(processes[i].pid())).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed");
        }
    }

    /** The index of the node every live node agrees leads, once there is one. */
    int awaitLeader(Duration timeout) {
        int[] leader = {-1};
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            leader[0] = agreedLeader();
            return leader[0] >= 0;
        });
        return leader[0];
    }

    int agreedLeader() {
        String agreed = null;
        int leaderIndex = -1;
        for (int i = 0; i < size; i++) {
            if (processes[i] == null || !processes[i].isAlive() || !voting[i]) {
                continue;
            }
            String status = status(i);
            if (status == null) {
                return -1;
            }
            String leaderId = field(status, "leader_id");
            if (leaderId == null || (agreed != null && !agreed.equals(leaderId))) {
                return -1;
            }
            agreed = leaderId;
            if (status.contains("\"is_leader\":true")) {
                leaderIndex = i;
            }
        }
        return leaderIndex;
    }

    String status(int i) {
        try {
            var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[i] + "/status"))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            var resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            return resp.statusCode() == 200 ? resp.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** {@code method} of {@code path} with a JSON body on node {@code i}'s HTTP port. */
    HttpResponse<String> send(int i, String method, String path, String json) throws IOException, InterruptedException {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[i] + path))
                .timeout(Duration.ofSeconds(40))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    Path dataDir(int i) {
        return dir.resolve("data-" + (i + 1));
    }

    /** GET of {@code path} on node {@code i}'s HTTP port: the status code and the body. */
    HttpResponse<String> get(int i, String path) throws IOException, InterruptedException {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[i] + path))
                .timeout(Duration.ofSeconds(5))
                .build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    long appliedIndex(int i) {
        String s = status(i);
        String v = s == null ? null : field(s, "last_applied");
        return v == null ? -1 : Long.parseLong(v);
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)\"?").matcher(json);
        if (!m.find() || m.group(1).equals("null")) {
            return null;
        }
        return m.group(1);
    }

    String logs() {
        return java.util.stream.IntStream.range(0, size)
                .mapToObj(i -> dir.resolve("node-" + (i + 1) + ".log"))
                .map(Path::toString)
                .collect(Collectors.joining(", "));
    }

    List<Process> alive() {
        var list = new ArrayList<Process>();
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                list.add(p);
            }
        }
        return list;
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = 0; i < size; i++) {
            if (processes[i] != null && processes[i].isAlive()) {
                try {
                    signal(i, "CONT");
                } catch (IOException | IllegalStateException ignored) {
                    // Already gone.
                }
                processes[i].destroyForcibly();
                processes[i].waitFor();
            }
        }
    }

    static boolean jarExists() {
        return Files.isRegularFile(JAR);
    }
}
