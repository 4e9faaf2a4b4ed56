package io.sinkron.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON over HTTP/1.1 to the processes under test. */
public final class Http {

    /** A status code and the body, parsed when it is JSON (a missing node otherwise). */
    public record Response(int status, JsonNode body, String text) {

        /** The problem type's last path segment ({@code lock-timeout}, ...), or "" if there is none. */
        public String problem() {
            String type = body.path("type").asString("");
            return type.substring(type.lastIndexOf('/') + 1);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private Http() {}

    public static Response get(URI uri, Duration timeout) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).GET(), timeout);
    }

    /** POST of {@code body} written as JSON. */
    public static Response post(URI uri, Object body, Duration timeout) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))),
                timeout);
    }

    public static Response delete(URI uri, Duration timeout) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).DELETE(), timeout);
    }

    public static Response put(URI uri, Object body, Duration timeout) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))),
                timeout);
    }

    private static Response send(HttpRequest.Builder request, Duration timeout)
            throws IOException, InterruptedException {
        HttpResponse<String> response =
                CLIENT.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), parse(response.body()), response.body());
    }

    private static JsonNode parse(String body) {
        if (body.isBlank()) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JacksonException notJson) {
            return JSON.missingNode();
        }
    }
}
