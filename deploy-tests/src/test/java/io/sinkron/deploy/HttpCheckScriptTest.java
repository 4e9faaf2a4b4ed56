package io.sinkron.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docker/http-check, the images' health check and the chart's helm test, run by bash against a
 * local HTTP server: it passes only when every URL answers 200.
 */
class HttpCheckScriptTest {

    private static final Path SCRIPT = Repository.path("docker/http-check");
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/actuator/health/readiness", exchange -> respond(exchange, 200));
        server.createContext("/health", exchange -> respond(exchange, 503));
        server.start();
        base = "127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status) throws IOException {
        byte[] body = "{}".getBytes();
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static Tool.Result check(String... targets) {
        return new Tool(SCRIPT).run(Repository.ROOT, targets);
    }

    @Test
    void passes_when_the_endpoint_answers_200() {
        Tool.Result result = check(base + "/actuator/health/readiness");
        assertThat(result.ok()).as(result.output()).isTrue();
    }

    @Test
    void fails_on_503_naming_the_status() {
        Tool.Result result = check(base + "/health");
        assertThat(result.ok()).isFalse();
        assertThat(result.output()).contains("FAIL " + base + "/health").contains("503");
    }

    @Test
    void fails_when_one_of_several_endpoints_fails() {
        Tool.Result result = check(base + "/actuator/health/readiness", base + "/nothing-here");
        assertThat(result.ok()).isFalse();
        assertThat(result.output())
                .contains("ok   " + base + "/actuator/health/readiness")
                .contains("404");
    }

    @Test
    void fails_when_nothing_listens() throws IOException {
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Tool.Result result = check("127.0.0.1:" + closed + "/health");
        assertThat(result.ok()).isFalse();
        assertThat(result.output()).contains("no answer");
    }

    @Test
    void refuses_to_pass_without_a_target() {
        assertThat(check().exitCode()).isEqualTo(2);
    }
}
