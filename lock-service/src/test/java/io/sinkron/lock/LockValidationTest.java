package io.sinkron.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input of every kind is a 4xx problem detail with a stable type, never a 500. */
class LockValidationTest extends LockServiceTest {

    private static final String VALIDATION = "https://sinkron.io/problems/validation";
    private static final String LONG_ID = "x".repeat(129);

    static Stream<Arguments> badAcquireBodies() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"lock_type\": \"exclusive\", ", null),
                Arguments.of("not an object", "[1, 2]", null),
                Arguments.of("empty body", "", null),
                Arguments.of("unknown lock_type", "{\"lock_type\": \"sideways\", \"client_id\": \"w\"}", "lock_type"),
                Arguments.of("missing lock_type", "{\"client_id\": \"w\"}", "lock_type"),
                Arguments.of("missing client_id", "{\"lock_type\": \"exclusive\"}", "client_id"),
                Arguments.of("blank client_id", "{\"lock_type\": \"exclusive\", \"client_id\": \"  \"}", "client_id"),
                Arguments.of(
                        "over-long client_id",
                        "{\"lock_type\": \"exclusive\", \"client_id\": \"" + LONG_ID + "\"}",
                        "client_id"),
                Arguments.of(
                        "client_id with spaces", "{\"lock_type\": \"exclusive\", \"client_id\": \"a b\"}", "client_id"),
                Arguments.of(
                        "timeout of the wrong type",
                        "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"timeout\": \"soon\"}",
                        "timeout"),
                Arguments.of(
                        "timeout as an object",
                        "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"timeout\": {}}",
                        "timeout"),
                Arguments.of(
                        "negative timeout",
                        "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"timeout\": -1}",
                        "timeout"),
                Arguments.of(
                        "absurd timeout",
                        "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"timeout\": 600001}",
                        "timeout"),
                Arguments.of(
                        "timeout beyond int64",
                        "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"timeout\": 99999999999999999999}",
                        "timeout"),
                Arguments.of(
                        "negative ttl", "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"ttl\": -5}", "ttl"),
                Arguments.of("zero ttl", "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"ttl\": 0}", "ttl"),
                Arguments.of(
                        "absurd ttl", "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"ttl\": 86400001}", "ttl"),
                Arguments.of(
                        "over-long session_id",
                        "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"session_id\": \"" + LONG_ID + "\"}",
                        "session_id"),
                Arguments.of(
                        "ttl and session_id together",
                        "{\"lock_type\": \"exclusive\", \"client_id\": \"w\", \"ttl\": 1000, \"session_id\": \"s\"}",
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAcquireBodies")
    void when_an_acquire_body_is_bad_then_400_validation(String why, String body, String field) {
        Reply reply = post("/locks/" + unique("orders"), body);

        assertValidation(reply);
        if (field != null) {
            assertThat(reply.body()
                            .path("errors")
                            .valueStream()
                            .map(e -> e.path("field").asString()))
                    .as(why)
                    .contains(field);
        }
    }

    @Test
    void when_the_lock_id_is_over_long_or_malformed_then_400() {
        String body = "{\"lock_type\": \"exclusive\", \"client_id\": \"w\"}";

        assertValidation(post("/locks/" + LONG_ID, body));
        assertValidation(post("/locks/bad%20id", body));
        assertValidation(get("/locks/" + LONG_ID));
        assertValidation(post("/locks/" + LONG_ID + "/validate", "{\"fencing_token\": 1}"));
        assertValidation(post("/locks/" + LONG_ID + "/keepalive?client_id=w", ""));
    }

    @Test
    void when_release_names_no_owner_or_a_bad_one_then_400() {
        String lock = unique("orders");

        assertValidation(delete("/locks/" + lock));
        assertValidation(delete("/locks/" + lock + "?client_id=" + LONG_ID));
        assertValidation(delete("/locks/" + lock, "X-Client-Id", LONG_ID));
        assertValidation(send(request("/locks/" + lock + "?client_id=a")
                .header("X-Client-Id", "b")
                .DELETE()
                .build()));
        assertValidation(post("/locks/" + lock + "/keepalive", ""));
    }

    @Test
    void when_validate_gets_no_or_a_wrong_token_then_400() {
        String path = "/locks/" + unique("orders") + "/validate";

        assertValidation(post(path, "{}"));
        assertValidation(post(path, "{\"fencing_token\": -1}"));
        assertValidation(post(path, "{\"fencing_token\": \"abc\"}"));
        assertValidation(post(path, "nope"));
    }

    @Test
    void when_a_session_request_is_bad_then_400() {
        assertValidation(post("/sessions", "{\"client_id\": \"w\"}"));
        assertValidation(post("/sessions", "{\"client_id\": \"w\", \"ttl\": 0}"));
        assertValidation(post("/sessions", "{\"client_id\": \"w\", \"ttl\": 86400001}"));
        assertValidation(post("/sessions", "{\"ttl\": 1000}"));
        assertValidation(post("/sessions", "{\"client_id\": \"" + LONG_ID + "\", \"ttl\": 1000}"));
        assertValidation(post("/sessions/" + LONG_ID + "/keepalive", ""));
        assertValidation(delete("/sessions/" + LONG_ID));
    }

    @Test
    void when_the_route_method_or_media_type_is_wrong_then_a_problem_with_its_own_type() {
        Reply unknown = get("/nowhere");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.type()).isEqualTo("https://sinkron.io/problems/not-found");

        Reply method = send(
                request("/deadlocks").PUT(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.type()).isEqualTo("https://sinkron.io/problems/method-not-allowed");

        Reply media = send(request("/sessions")
                .setHeader("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("client_id=w"))
                .build());
        assertThat(media.status()).isEqualTo(415);
        assertThat(media.type()).isEqualTo("https://sinkron.io/problems/unsupported-media-type");
    }

    private static void assertValidation(Reply reply) {
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.type()).isEqualTo(VALIDATION);
        assertThat(reply.body().path("detail").asString()).isNotBlank();
    }
}
