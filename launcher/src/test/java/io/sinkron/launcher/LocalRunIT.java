package io.sinkron.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local one-command run as a user meets it: {@code ./sinkron run} started from the checkout,
 * each service used over HTTP, the demo run against it, and then the terminal's Ctrl-C — SIGINT to
 * the whole process group — after which the command must have exited and left no process behind.
 *
 * <p>The run gets its own data directory and a port offset whose ports are free, so it neither
 * disturbs nor is disturbed by a local run of the person building.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalRunIT {

    private static final Path ROOT =
            Path.of(System.getProperty("sinkron.root", "..")).toAbsolutePath().normalize();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    private Path dir;
    private int offset;
    private Path output;
    private Process run;

    @BeforeAll
    void start(@TempDir Path tempDir) throws IOException {
        dir = tempDir;
        offset = freeOffset();
        output = dir.resolve("run.log");
        // setsid gives the run a process group of its own, as a terminal gives its foreground job, so
        // that the test can signal the group the way Ctrl-C does without signalling itself.
        var builder = new ProcessBuilder(
                        "setsid",
                        ROOT.resolve("sinkron").toString(),
                        "run",
                        "--no-build",
                        "--data-dir",
                        dir.resolve("data").toString(),
                        "--port-offset",
                        String.valueOf(offset))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("NO_COLOR", "1");
        run = builder.start();

        // Seven JVMs start on a machine that may be busy with other builds; normally well under a minute.
        await().atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofSeconds(1))
                .failFast("./sinkron run exited; its output is in " + output, () -> !run.isAlive())
                .until(() -> log().contains("Sinkron is running"));
    }

    @AfterAll
    void cleanUp() {
        // Does something only when a test failed: whatever happened, no process of this run survives it.
        if (run != null) {
            run.descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
        }
        String marker = PortCheck.MARKER + dir.resolve("data");
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(marker))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    @Order(1)
    void every_process_is_ready_and_answers_on_its_documented_port() throws Exception {
        for (int port : List.of(8001, 8002, 8003, 8081, 8082, 8083, 8084)) {
            assertThat(get(port, "/actuator/health/readiness").statusCode())
                    .as("readiness on %d", port + offset)
                    .isEqualTo(200);
        }
        JsonNode status = json(get(8001, "/status"));
        assertThat(status.path("members")).hasSize(3);
        assertThat(status.path("leader_id").asString()).startsWith("node-");
        assertThat(get(8081, "/swagger-ui.html").statusCode()).isEqualTo(200);
        assertThat(get(8002, "/actuator/prometheus").body()).contains("sinkron_raft_term");
    }

    @Test
    @Order(2)
    void a_lock_is_acquired_and_released() throws Exception {
        var grant = send(
                8081,
                "POST",
                "/locks/local-run-it",
                "{\"lock_type\":\"exclusive\",\"client_id\":\"it\",\"timeout\":0}");
        assertThat(grant.statusCode()).as(grant.body()).isEqualTo(200);
        assertThat(json(grant).path("fencing_token").asLong()).isPositive();

        var held = json(get(8081, "/locks/local-run-it"));
        assertThat(held.path("holders").get(0).path("client_id").asString()).isEqualTo("it");

        var release = send(8081, "DELETE", "/locks/local-run-it?client_id=it", null);
        assertThat(release.statusCode()).as(release.body()).isEqualTo(200);
        assertThat(json(release).path("released").asBoolean()).isTrue();
        assertThat(json(get(8081, "/locks/local-run-it")).path("mode").asString())
                .isEqualTo("unlocked");
    }

    @Test
    @Order(3)
    void a_message_is_enqueued_dequeued_and_acked() throws Exception {
        var enqueued = send(8082, "POST", "/queue/local-run-it/enqueue", "{\"message\":{\"hello\":\"queue\"}}");
        assertThat(enqueued.statusCode()).as(enqueued.body()).isEqualTo(201);
        String id = json(enqueued).path("message_id").asString();

        var dequeued = send(8082, "POST", "/queue/local-run-it/dequeue", "{\"max_messages\":1,\"wait\":5000}");
        assertThat(dequeued.statusCode()).as(dequeued.body()).isEqualTo(200);
        JsonNode message = json(dequeued).path("messages").get(0);
        assertThat(message.path("message_id").asString()).isEqualTo(id);
        assertThat(message.path("message").path("hello").asString()).isEqualTo("queue");

        var ack = send(
                8082,
                "POST",
                "/queue/local-run-it/ack",
                "{\"message_id\":\"" + id + "\",\"receipt\":\""
                        + message.path("receipt").asString() + "\"}");
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        assertThat(json(get(8082, "/queue/local-run-it")).path("in_flight").asLong())
                .isZero();
    }

    @Test
    @Order(4)
    void a_value_written_through_one_cache_instance_is_read_through_the_other() throws Exception {
        var put = send(8083, "PUT", "/cache/local-run-it", "{\"value\":\"through cache-a\"}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

        var read = get(8084, "/cache/local-run-it");
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(json(read).path("value").asString()).isEqualTo("through cache-a");
        assertThat(read.headers().firstValue("X-Cache-State")).isPresent();
    }

    @Test
    @Order(5)
    void the_demo_runs_against_the_local_run() throws Exception {
        Path demoOutput = dir.resolve("demo.log");
        Process demo = new ProcessBuilder(
                        ROOT.resolve("sinkron").toString(), "demo", "--port-offset", String.valueOf(offset))
                .redirectErrorStream(true)
                .redirectOutput(demoOutput.toFile())
                .start();
        assertThat(demo.waitFor(3, TimeUnit.MINUTES)).as("the demo ends").isTrue();
        String shown = Files.readString(demoOutput);
        assertThat(demo.exitValue()).as(shown).isZero();
        assertThat(shown)
                .contains("deadlock detected")
                .contains("redelivered after the visibility timeout")
                .contains("dead-lettered")
                .contains("X-Cache: HIT")
                .contains("demo finished");
        assertThat(shown).contains("cache-a no longer holds the key");
    }

    @Test
    @Order(6)
    void ctrl_c_stops_everything_and_leaves_no_process_behind() throws Exception {
        List<ProcessHandle> started = run.descendants().toList();
        assertThat(started.stream()
                        .filter(p -> p.info().commandLine().orElse("").contains(PortCheck.MARKER)))
                .as("the seven JVMs of the run are the launcher's children")
                .hasSize(7);

        signalGroup("INT");

        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !run.isAlive());
        assertThat(run.exitValue()).as("exit code after SIGINT").isEqualTo(130);
        assertThat(started).as("every process the run started has ended").noneMatch(ProcessHandle::isAlive);
        assertThat(IntStream.of(7001, 7002, 7003, 8001, 8002, 8003, 8081, 8082, 8083, 8084)
                        .map(p -> p + offset)
                        .filter(p -> !PortCheck.free(p))
                        .boxed()
                        .toList())
                .as("ports still taken")
                .isEmpty();
        assertThat(dir.resolve("data/sinkron.pid")).doesNotExist();
        assertThat(log()).contains("stopping: the services first, then the consensus nodes", "stopped;");
        assertThat(dir.resolve("data/logs/node-1.log")).content().contains("Graceful shutdown complete");
    }

    private void signalGroup(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + run.pid())
                .redirectErrorStream(true)
                .start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kill.waitFor()).as("kill: " + out).isZero();
    }

    private String log() throws IOException {
        return Files.readString(output);
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return send(port, "GET", path, null);
    }

    /** {@code port} is the documented one; the run's offset is added here. */
    private HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (port + offset) + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /**
     * An offset whose ten ports are all free, from 10000 to 24500 so that every port stays below
     * the ephemeral range and no outgoing connection takes one meanwhile. Bounded: a machine with
     * no free block in 40 tries fails the test.
     */
    private static int freeOffset() throws IOException {
        int blocks = 146;
        int first = ThreadLocalRandom.current().nextInt(blocks);
        for (int i = 0; i < 40; i++) {
            int candidate = 10_000 + ((first + i) % blocks) * 100;
            if (IntStream.of(7001, 7002, 7003, 8001, 8002, 8003, 8081, 8082, 8083, 8084)
                    .allMatch(p -> PortCheck.free(p + candidate))) {
                return candidate;
            }
        }
        throw new IOException("no block of free ports found for the local run");
    }
}
