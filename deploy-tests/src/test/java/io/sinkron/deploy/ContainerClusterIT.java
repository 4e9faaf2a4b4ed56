package io.sinkron.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.PruneType;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.lifecycle.Startables;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sinkron in Docker, from the images docker/Dockerfile makes: the four images are built on the
 * local base image ({@code docker/base-image.sh}, so that nothing is pulled from a registry),
 * three consensus nodes and the lock, queue and cache services run on a network of their own,
 * the leader's container is killed, and the services keep serving while the two other nodes
 * elect a new leader; nothing acknowledged before the kill is lost.
 *
 * <p>Skipped, by an assumption, only when no Docker daemon is reachable. A reachable daemon
 * without the base image is a failure that says how to build it. Testcontainers' Ryuk is
 * disabled (its image cannot be pulled here): failsafe sets {@code TESTCONTAINERS_RYUK_DISABLED}
 * and this class removes its containers and network itself, and the images at the JVM's exit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerClusterIT {

    private static final String BASE_IMAGE = System.getProperty("sinkron.baseImage", "sinkron-base:local");
    private static final List<String> NODES = List.of("consensus-1", "consensus-2", "consensus-3");
    private static final int HTTP_PORT = 8080;
    private static final int GRPC_PORT = 7000;
    /**
     * Six JVMs share a machine that may be busy with other builds: small heaps and the quick
     * start of the local run, and election timeouts the troubleshooting guide advises for loaded
     * machines, so that a starved node is not mistaken for a dead one.
     */
    private static final String JAVA_OPTIONS = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    private static final String NO_DOCKER = "no Docker daemon is reachable, so the container test is skipped;"
            + " start one (as .ci/run does: apt-get install docker.io debootstrap, dockerd) and build the base"
            + " image with docker/base-image.sh";

    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The label docker/base-image.sh gives the base image, which every image built on it inherits. */
    private static final String BASE_IMAGE_LABEL = "io.sinkron.base-image.recipe";

    private static final Path LOGS = Path.of("target/container-logs").toAbsolutePath();

    private Network network;
    private final Map<String, GenericContainer<?>> nodes = new LinkedHashMap<>();
    private final Map<String, GenericContainer<?>> services = new LinkedHashMap<>();
    private final List<String> killed = new ArrayList<>();
    private final List<String> builtImages = new ArrayList<>();

    private boolean dockerAvailable;

    @BeforeAll
    void start() {
        dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
        if (!dockerAvailable) {
            System.err.println(NO_DOCKER);
            return;
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(BASE_IMAGE).exec();
        } catch (NotFoundException e) {
            throw new IllegalStateException("the base image " + BASE_IMAGE + " is missing: build it with"
                    + " docker/base-image.sh (as root), or pass -Dsinkron.baseImage=<a Java 25 image present locally>");
        }

        Map<String, ImageFromDockerfile> images = new LinkedHashMap<>();
        for (String module : List.of("consensus-node", "lock-service", "queue-service", "cache-service")) {
            long started = System.nanoTime();
            ImageFromDockerfile image = image(module);
            String name = image.get();
            System.out.printf("built %s on %s in %d ms%n", name, BASE_IMAGE, (System.nanoTime() - started) / 1_000_000);
            images.put(module, image);
            builtImages.add(name);
        }

        network = Network.newNetwork();
        String clusterNodes =
                NODES.stream().map(n -> n + ":" + n + ":" + GRPC_PORT).collect(Collectors.joining(","));
        for (String node : NODES) {
            nodes.put(
                    node,
                    container(images.get("consensus-node"), node)
                            .withEnv("NODE_ID", node)
                            .withEnv("CLUSTER_NODES", clusterNodes)
                            .withEnv("RAFT_ELECTION_TIMEOUT_MIN", "1000")
                            .withEnv("RAFT_ELECTION_TIMEOUT_MAX", "2000"));
        }
        String consensusNodes = NODES.stream().map(n -> n + ":" + GRPC_PORT).collect(Collectors.joining(","));
        services.put("lock-service", service(images.get("lock-service"), "lock-service", consensusNodes));
        services.put("queue-service", service(images.get("queue-service"), "queue-service", consensusNodes));
        services.put(
                "cache-service",
                service(images.get("cache-service"), "cache-service", consensusNodes)
                        .withEnv("CACHE_INSTANCE_ID", "cache-1"));

        long started = System.nanoTime();
        // A node is ready once it knows a leader, which takes two of them: they start together.
        Startables.deepStart(nodes.values()).join();
        System.out.printf("three nodes ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        started = System.nanoTime();
        Startables.deepStart(services.values()).join();
        System.out.printf("three services ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    /** Each test reports the skip with its reason; an assumption in {@code @BeforeAll} would hide it. */
    @BeforeEach
    void docker_is_reachable() {
        assumeTrue(dockerAvailable, NO_DOCKER);
    }

    @AfterAll
    void stop() throws IOException {
        if (!dockerAvailable) {
            return;
        }
        Files.createDirectories(LOGS);
        Map<String, GenericContainer<?>> all = concat(services, nodes);
        // Kept for a failure to be diagnosed: the containers are removed below.
        for (var entry : all.entrySet()) {
            if (entry.getValue().getContainerId() != null) {
                Files.writeString(
                        LOGS.resolve(entry.getKey() + ".log"), entry.getValue().getLogs());
            }
        }
        all.values().forEach(GenericContainer::stop);
        if (network != null) {
            network.close();
        }
        removeImages();
    }

    /**
     * The images, and what their builds left: removing a tagged image removes its untagged
     * parents, and Docker's classic builder leaves the first stage of each build as an untagged
     * image, which carries the base image's label.
     */
    private void removeImages() {
        if (builtImages.isEmpty()) {
            return;
        }
        var docker = DockerClientFactory.instance().client();
        for (String image : builtImages) {
            try {
                docker.removeImageCmd(image).withForce(true).exec();
            } catch (NotFoundException e) {
                // Already gone: nothing to clean.
            }
        }
        docker.pruneCmd(PruneType.IMAGES)
                .withDangling(true)
                .withLabelFilter(BASE_IMAGE_LABEL)
                .exec();
    }

    @Test
    @Order(1)
    void every_container_runs_as_the_images_user_and_turns_healthy_by_the_images_health_check() throws Exception {
        for (var entry : concat(nodes, services).entrySet()) {
            var result = entry.getValue().execInContainer("id", "-u");
            assertThat(result.getStdout().strip()).as(entry.getKey() + " uid").isEqualTo("10001");
        }
        // The HEALTHCHECK runs sinkron-http-check against readiness every 10 s.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(
                                concat(nodes, services).values().stream().map(c -> health(c.getContainerId())))
                        .containsOnly("healthy"));
        HealthCheck check = DockerClientFactory.instance()
                .client()
                .inspectImageCmd(nodes.get("consensus-1").getDockerImageName())
                .exec()
                .getConfig()
                .getHealthcheck();
        assertThat(String.join(" ", check.getTest())).contains("sinkron-http-check");
    }

    @Test
    @Order(2)
    void the_leaders_container_is_killed_and_the_services_keep_serving() throws Exception {
        // Before the kill: one of each, acknowledged by the cluster.
        HttpResponse<String> held = send(
                "lock-service",
                "POST",
                "/locks/held-across-the-kill",
                "{\"lock_type\":\"exclusive\",\"client_id\":\"before\",\"timeout\":0,\"ttl\":600000}");
        assertThat(held.statusCode()).as(held.body()).isEqualTo(200);
        long heldToken = json(held).path("fencing_token").asLong();
        HttpResponse<String> enqueued = send(
                "queue-service",
                "POST",
                "/queue/across-the-kill/enqueue",
                "{\"message\":{\"sent\":\"before\"},\"dedup_id\":\"before\"}");
        assertThat(enqueued.statusCode()).as(enqueued.body()).isEqualTo(201);
        HttpResponse<String> put = send("cache-service", "PUT", "/cache/written-before", "{\"value\":\"before\"}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

        JsonNode before = leaderStatus();
        String leader = before.path("node_id").asString();
        long term = before.path("term").asLong();
        System.out.printf("leader %s in term %d; killing its container%n", leader, term);
        long killedAt = System.nanoTime();
        DockerClientFactory.instance()
                .client()
                .killContainerCmd(nodes.get(leader).getContainerId())
                .exec();
        killed.add(leader);

        AtomicReference<JsonNode> after = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JsonNode status = leaderStatusOrNull();
                    after.set(status);
                    return status != null && !status.path("node_id").asString().equals(leader);
                });
        String newLeader = after.get().path("node_id").asString();
        System.out.printf(
                "new leader %s in term %d, %d ms after the kill%n",
                newLeader, after.get().path("term").asLong(), (System.nanoTime() - killedAt) / 1_000_000);
        assertThat(after.get().path("term").asLong()).isGreaterThan(term);
        for (String survivor : survivors()) {
            JsonNode status = status(survivor).orElseThrow();
            assertThat(status.path("leader_id").asString()).as(survivor).isEqualTo(newLeader);
        }

        // After the kill: each service serves again; 503 (no leader reachable yet) is retried.
        HttpResponse<String> acquired = served(
                "lock-service",
                "POST",
                "/locks/taken-after-the-kill",
                "{\"lock_type\":\"exclusive\",\"client_id\":\"after\",\"timeout\":0,\"ttl\":600000}");
        assertThat(json(acquired).path("fencing_token").asLong()).isGreaterThan(heldToken);
        HttpResponse<String> second = served(
                "queue-service",
                "POST",
                "/queue/across-the-kill/enqueue",
                "{\"message\":{\"sent\":\"after\"},\"dedup_id\":\"after\"}");
        assertThat(second.statusCode()).isEqualTo(201);
        served("cache-service", "PUT", "/cache/written-after", "{\"value\":\"after\"}");
        assertThat(json(served("cache-service", "GET", "/cache/written-after", null))
                        .path("value")
                        .asString())
                .isEqualTo("after");

        // Nothing acknowledged before the kill is lost.
        JsonNode lock = json(served("lock-service", "GET", "/locks/held-across-the-kill", null));
        assertThat(lock.path("holders").get(0).path("client_id").asString()).isEqualTo("before");
        assertThat(lock.path("holders").get(0).path("fencing_token").asLong()).isEqualTo(heldToken);
        assertThat(json(served("cache-service", "GET", "/cache/written-before", null))
                        .path("value")
                        .asString())
                .isEqualTo("before");
        JsonNode dequeued = json(served(
                "queue-service", "POST", "/queue/across-the-kill/dequeue", "{\"max_messages\":10,\"wait\":2000}"));
        List<String> sent = new ArrayList<>();
        dequeued.path("messages")
                .forEach(m -> sent.add(m.path("message").path("sent").asString()));
        assertThat(sent).containsExactlyInAnyOrder("before", "after");
    }

    private static ImageFromDockerfile image(String module) {
        // The build context holds what .dockerignore admits for this module, and nothing else.
        String jar = module + "/target/" + module + ".jar";
        return new ImageFromDockerfile("sinkron-it/" + module, false)
                .withDockerfilePath("docker/Dockerfile")
                .withFileFromPath("docker/Dockerfile", Repository.path("docker/Dockerfile"))
                .withFileFromPath("docker/http-check", Repository.path("docker/http-check"))
                .withFileFromPath(jar, Repository.jar(module))
                .withBuildArg("BASE_IMAGE", BASE_IMAGE)
                .withBuildArg("MODULE", module);
    }

    private GenericContainer<?> container(ImageFromDockerfile image, String name) {
        return new GenericContainer<>(image)
                .withNetwork(network)
                .withNetworkAliases(name)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(name))
                .withEnv("JAVA_TOOL_OPTIONS", JAVA_OPTIONS)
                .withEnv("MANAGEMENT_METRICS_TAGS_APPLICATION", name)
                .withExposedPorts(HTTP_PORT)
                .waitingFor(Wait.forHttp("/actuator/health/readiness")
                        .forPort(HTTP_PORT)
                        .forStatusCode(200)
                        .withStartupTimeout(START_TIMEOUT));
    }

    private GenericContainer<?> service(ImageFromDockerfile image, String name, String consensusNodes) {
        return container(image, name).withEnv("CONSENSUS_NODES", consensusNodes);
    }

    private List<String> survivors() {
        return NODES.stream().filter(n -> !killed.contains(n)).toList();
    }

    /** The status of the node that the surviving nodes agree leads, once they all name it. */
    private JsonNode leaderStatus() {
        AtomicReference<JsonNode> leader = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    leader.set(leaderStatusOrNull());
                    return leader.get() != null;
                });
        return leader.get();
    }

    private JsonNode leaderStatusOrNull() {
        JsonNode leader = null;
        String named = null;
        for (String node : survivors()) {
            Optional<JsonNode> status = status(node);
            if (status.isEmpty()) {
                return null;
            }
            String leaderId = status.get().path("leader_id").asString("");
            if (leaderId.isEmpty() || (named != null && !named.equals(leaderId))) {
                return null;
            }
            named = leaderId;
            if (status.get().path("is_leader").asBoolean()) {
                leader = status.get();
            }
        }
        return leader != null && leader.path("node_id").asString().equals(named) ? leader : null;
    }

    private Optional<JsonNode> status(String node) {
        try {
            HttpResponse<String> response = send(nodes.get(node), "GET", "/status", null);
            return response.statusCode() == 200 ? Optional.of(json(response)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A request that must succeed (2xx). While no leader is reachable the services answer 503
     * and the request is retried, within a bound; any other answer fails the test at once.
     */
    private HttpResponse<String> served(String service, String method, String path, String body) {
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .failFast(
                        service + " " + method + " " + path + " answered neither 2xx nor 503",
                        () -> last.get() != null
                                && last.get().statusCode() != 503
                                && last.get().statusCode() / 100 != 2)
                .until(() -> {
                    attempts.incrementAndGet();
                    last.set(send(service, method, path, body));
                    return last.get().statusCode() / 100 == 2;
                });
        System.out.printf(
                "%s %s %s: %d after %d attempt(s)%n",
                service, method, path, last.get().statusCode(), attempts.get());
        return last.get();
    }

    private HttpResponse<String> send(String service, String method, String path, String body) throws IOException {
        return send(services.get(service), method, path, body);
    }

    private static HttpResponse<String> send(GenericContainer<?> container, String method, String path, String body)
            throws IOException {
        URI uri = URI.create("http://" + container.getHost() + ":" + container.getMappedPort(HTTP_PORT) + path);
        var request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String health(String containerId) {
        var state = DockerClientFactory.instance()
                .client()
                .inspectContainerCmd(containerId)
                .exec()
                .getState();
        return state.getHealth() == null ? "none" : state.getHealth().getStatus();
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("not JSON: " + response.body(), e));
        }
    }

    private static Map<String, GenericContainer<?>> concat(
            Map<String, GenericContainer<?>> first, Map<String, GenericContainer<?>> second) {
        Map<String, GenericContainer<?>> all = new LinkedHashMap<>(first);
        all.putAll(second);
        return all;
    }
}
