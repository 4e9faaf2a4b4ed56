package io.sinkron.lock;

import static io.sinkron.fuzz.Problems.assertRejected;
import static io.sinkron.fuzz.Problems.assertRejectedWithoutEffect;
import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.fuzz.RawHttp;
import io.sinkron.fuzz.RawRequest;
import io.sinkron.fuzz.RawResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bad input {@link LockApiFuzzTest} found accepted, or answered with something other than a
 * problem detail, each pinned as the fuzzer sent it. Every request aims at a lock that worker-1
 * holds, so one accepted by mistake shows as a second hold or a new session.
 */
class LockFuzzFindingsTest extends LockServiceTest {

    private RawHttp http;
    private String lock;

    @BeforeEach
    void holdALock() {
        http = new RawHttp(port, Duration.ofSeconds(15));
        lock = unique("found");
        assertThat(acquire(lock, "worker-1", "exclusive", 0).status()).isEqualTo(200);
    }

    @Test
    void when_an_acquire_has_an_unknown_field_then_it_is_refused_not_granted() {
        refusedWithoutEffect(acquireRequest("""
                {"lock_type": "exclusive", "client_id": "worker-1", "timeout": 0, "clientId": 1}"""));
    }

    @Test
    void when_a_whole_number_has_a_fraction_then_it_is_refused_not_truncated() {
        refusedWithoutEffect(acquireRequest("""
                {"lock_type": "exclusive", "client_id": "worker-1", "timeout": 0, "ttl": 100.0}"""));
    }

    @Test
    void when_an_id_is_a_number_or_a_boolean_then_no_session_is_opened() {
        refusedWithoutEffect(RawRequest.of("POST", "/sessions").json("""
                {"client_id": 9223372036854775807, "ttl": 60000}"""));
        refusedWithoutEffect(RawRequest.of("POST", "/sessions").json("""
                {"client_id": true, "ttl": 60000}"""));
    }

    @Test
    void when_a_fencing_token_is_a_string_then_it_is_refused_not_converted() {
        refusedWithoutEffect(
                RawRequest.of("POST", "/locks/" + lock + "/validate").json("""
                {"fencing_token": "5"}"""));
    }

    @Test
    void when_an_id_is_an_overlong_utf8_encoding_then_it_is_refused_not_decoded() {
        // C0 B1 is an overlong "1": Jackson alone would read the owner as worker-1, the holder.
        var body = new ByteArrayOutputStream();
        body.writeBytes("{\"lock_type\": \"exclusive\", \"client_id\": \"worker-".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xB1});
        body.writeBytes("\", \"timeout\": 0}".getBytes(StandardCharsets.UTF_8));
        refusedWithoutEffect(RawRequest.of("POST", "/locks/" + lock)
                .header("Content-Type", "application/json")
                .body(body.toByteArray()));
    }

    @Test
    void when_the_lock_id_is_a_dot_segment_then_it_is_refused() {
        for (String id : List.of("..", "%2E%2E", ".")) {
            refusedWithoutEffect(RawRequest.of("POST", "/locks/" + id).json("""
                    {"lock_type": "exclusive", "client_id": "worker-1", "timeout": 0}"""));
            assertRejected(http.send(RawRequest.of("GET", "/locks/" + id)), RawRequest.of("GET", "/locks/" + id));
        }
    }

    @Test
    void when_the_path_has_a_parameter_then_it_is_refused_not_stripped() {
        // Stripped, ";x" would leave /locks/<the held lock>: a second hold of worker-1.
        refusedWithoutEffect(RawRequest.of("POST", "/locks/" + lock + ";x").json("""
                {"lock_type": "exclusive", "client_id": "worker-1", "timeout": 0}"""));
        refusedWithoutEffect(RawRequest.of("DELETE", "/locks/" + lock + ";x?client_id=worker-1"));
    }

    @Test
    void when_a_body_is_multipart_without_a_boundary_then_415_not_500() {
        RawResponse response = refusedWithoutEffect(RawRequest.of("POST", "/locks/" + lock)
                .header("Content-Type", "multipart/form-data")
                .body("{\"lock_type\": \"exclusive\", \"client_id\": \"worker-1\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(response.status()).isEqualTo(415);
    }

    @Test
    void when_the_accept_header_is_not_a_media_type_then_406_is_still_a_problem() {
        RawResponse response = refusedWithoutEffect(acquireRequest("""
                        {"lock_type": "exclusive", "client_id": "worker-1", "timeout": 0}""").header("Accept", "application/"));
        assertThat(response.status()).isEqualTo(406);
    }

    @Test
    void when_the_request_is_not_well_formed_http_then_tomcat_answers_a_problem_too() {
        refusedWithoutEffect(RawRequest.of("DELETE", "/locks/a b?client_id=worker-1"));
        refusedWithoutEffect(RawRequest.of("DELETE", "/locks/" + lock + "?client_id=%"));
        refusedWithoutEffect(
                RawRequest.of("POST", "/locks/" + lock + "/keepalive").header("X-Client-Id", "\u0000"));
        refusedWithoutEffect(RawRequest.of("POST", "/locks/" + lock)
                .header("Content-Type", "application/json")
                .header("Content-Length", "abc")
                .body("{}".getBytes(StandardCharsets.UTF_8)));
        refusedWithoutEffect(RawRequest.of("POST", "/locks/" + lock)
                .header("Content-Type", "application/json")
                .header("Content-Length", "73")
                .body("{\"lock_type\": \"exclusive\", \"client_id\": \"worker-1\"}".getBytes(StandardCharsets.UTF_8))
                .endingInput());
        assertThat(refusedWithoutEffect(RawRequest.of("TRACE", "/locks/" + lock))
                        .status())
                .isEqualTo(405);
    }

    @Test
    void when_the_container_error_path_is_asked_for_then_it_is_not_found_not_500() {
        assertThat(refusedWithoutEffect(RawRequest.of("GET", "/error")).status())
                .isEqualTo(404);
    }

    @Test
    void when_a_body_is_over_the_size_limit_then_413_before_it_is_read() {
        String acquire = "{\"lock_type\": \"exclusive\", \"client_id\": \"worker-2\", \"timeout\": 0}";
        RawResponse announced = refusedWithoutEffect(acquireRequest(acquire + " ".repeat(80 * 1024)));
        assertThat(announced.status()).isEqualTo(413);
        assertThat(announced.text()).contains("payload-too-large");
        RawResponse streamed =
                refusedWithoutEffect(chunked(RawRequest.of("POST", "/locks/" + lock), acquire, 80 * 1024));
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(streamed.text()).contains("payload-too-large");
    }

    /** {@code json} padded with spaces (still valid JSON) to {@code size} bytes, sent in chunks without a length. */
    private static RawRequest chunked(RawRequest request, String json, int size) {
        byte[] padded = (json + " ".repeat(size - json.length())).getBytes(StandardCharsets.UTF_8);
        var body = new ByteArrayOutputStream();
        for (int from = 0; from < padded.length; from += 4096) {
            int length = Math.min(4096, padded.length - from);
            body.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            body.write(padded, from, length);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return request.header("Content-Type", "application/json")
                .header("Transfer-Encoding", "chunked")
                .body(body.toByteArray());
    }

    private RawRequest acquireRequest(String json) {
        return RawRequest.of("POST", "/locks/" + lock).json(json);
    }

    private RawResponse refusedWithoutEffect(RawRequest request) {
        return assertRejectedWithoutEffect(
                http, request, () -> List.of(get("/locks/" + lock), node.stateDigest("lock")));
    }
}
