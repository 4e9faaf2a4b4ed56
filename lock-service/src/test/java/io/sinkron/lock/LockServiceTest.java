package io.sinkron.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The lock-service on a real port, its real {@code ConsensusClient} talking gRPC to an
 * {@link InProcessConsensusNode} that runs the real lock state machine. Every test class shares
 * one application context; tests keep apart by using lock and client ids of their own.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "consensus.nodes=" + InProcessConsensusNode.ADDRESS,
            "consensus.deadline=2s",
            "sinkron.lock.wait-grace=300ms",
            "sinkron.lock.stats-max-age=0s"
        })
@AutoConfigureMockMvc
@Import(InProcessClusterConfiguration.class)
abstract class LockServiceTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger IDS = new AtomicInteger();

    @LocalServerPort
    int port;

    @Autowired
    InProcessConsensusNode node;

    final HttpClient http = HttpClient.newHttpClient();

    record Reply(int status, String contentType, JsonNode body) {

        String type() {
            return body.path("type").asString();
        }
    }

    /** A fresh id, so tests sharing the cluster never touch each other's locks. */
    static String unique(String prefix) {
        return prefix + "-" + IDS.incrementAndGet();
    }

    Reply post(String path, String json) {
        return send(
                request(path).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    CompletableFuture<Reply> postAsync(String path, String json) {
        return http.sendAsync(
                        request(path)
                                .POST(HttpRequest.BodyPublishers.ofString(json))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenApply(LockServiceTest::reply);
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply delete(String path) {
        return send(request(path).DELETE().build());
    }

    Reply delete(String path, String header, String value) {
        return send(request(path).header(header, value).DELETE().build());
    }

    Reply acquire(String lock, String client, String type, long timeout) {
        return post("/locks/" + lock, """
                {"lock_type": "%s", "client_id": "%s", "timeout": %d}""".formatted(type, client, timeout));
    }

    CompletableFuture<Reply> acquireAsync(String lock, String client, String type, long timeout) {
        return postAsync("/locks/" + lock, """
                {"lock_type": "%s", "client_id": "%s", "timeout": %d}""".formatted(type, client, timeout));
    }

    int waiters(String lock) {
        return get("/locks/" + lock).body().path("waiters").size();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json");
    }

    Reply send(HttpRequest request) {
        try {
            return reply(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Reply reply(HttpResponse<String> response) {
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        String body = response.body();
        return new Reply(
                response.statusCode(),
                contentType,
                contentType.contains("json") && !body.isEmpty() ? JSON.readTree(body) : JSON.createObjectNode());
    }
}
