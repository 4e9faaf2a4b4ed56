package io.sinkron.queue;

import static io.sinkron.fuzz.Problems.assertRejectedWithoutEffect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.sinkron.fuzz.RawHttp;
import io.sinkron.fuzz.RawRequest;
import io.sinkron.fuzz.RawResponse;
import io.sinkron.queue.service.ReplicatedQueues;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The bad input {@link QueueApiFuzzTest} found accepted, or answered with something other than a
 * problem detail, each pinned as the fuzzer sent it. Every request aims at a queue holding one
 * message, so one accepted by mistake shows in its counts or settings.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "sinkron.queue.max-message-size=1KB",
            "sinkron.queue.max-batch-size=4KB",
            "sinkron.queue.max-request-size=16KB",
            "sinkron.queue.max-wait=20s",
            "sinkron.queue.metrics-refresh=200ms"
        })
class QueueFuzzFindingsTest extends QueueServiceTest {

    private static final AtomicInteger QUEUES = new AtomicInteger();

    @LocalServerPort
    int port;

    private RawHttp http;
    private String queue;

    @BeforeEach
    void queueWithAMessage() throws Exception {
        http = new RawHttp(port, Duration.ofSeconds(15));
        queue = "found-" + QUEUES.incrementAndGet();
        postJson("/queue/" + queue + "/enqueue", "{\"message\": \"kept\"}").andExpect(status().isCreated());
    }

    @Test
    void when_the_queue_id_is_a_dot_segment_then_it_is_refused() {
        for (String id : List.of("..", "%2E%2E", ".")) {
            refusedWithoutEffect(RawRequest.of("PUT", "/queue/" + id).json("{\"delivery_limit\": 9}"));
            refusedWithoutEffect(
                    RawRequest.of("POST", "/queue/" + id + "/enqueue").json("{\"message\": \"m\"}"));
            refusedWithoutEffect(RawRequest.of("DELETE", "/queue/" + id));
        }
    }

    @Test
    void when_a_whole_number_is_a_blank_string_then_it_is_refused_not_taken_as_absent() {
        refusedWithoutEffect(
                RawRequest.of("PUT", "/queue/" + queue).json("{\"delivery_limit\": 9, \"dedup_window\": \" \"}"));
    }

    @Test
    void when_a_whole_number_has_a_fraction_then_nothing_is_enqueued() {
        refusedWithoutEffect(
                RawRequest.of("POST", "/queue/" + queue + "/enqueue").json("{\"message\": \"m\", \"delay_ms\": 1.5}"));
    }

    @Test
    void when_a_message_is_an_overlong_utf8_encoding_then_nothing_is_enqueued() {
        // C0 AF is an overlong "/": Jackson alone would enqueue "a/b".
        var body = new ByteArrayOutputStream();
        body.writeBytes("{\"message\": \"a".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF});
        body.writeBytes("b\"}".getBytes(StandardCharsets.UTF_8));
        refusedWithoutEffect(RawRequest.of("POST", "/queue/" + queue + "/enqueue")
                .header("Content-Type", "application/json")
                .body(body.toByteArray()));
    }

    @Test
    void when_no_answer_could_be_json_then_406_comes_before_the_enqueue_or_delete() {
        refusedWithoutEffect(RawRequest.of("POST", "/queue/" + queue + "/enqueue")
                .json("{\"message\": \"m\"}")
                .header("Accept", "application/xml"));
        refusedWithoutEffect(RawRequest.of("DELETE", "/queue/" + queue).header("Accept", "application/xml"));
        RawResponse unparseable = refusedWithoutEffect(RawRequest.of("POST", "/queue/" + queue + "/enqueue")
                .json("{\"message\": \"m\"}")
                .header("Accept", "application/"));
        assertThat(unparseable.status()).isEqualTo(406);
    }

    @Test
    void when_the_path_has_a_parameter_then_it_is_refused_not_stripped() {
        // Stripped, ";x" would leave /queue/<the queue>, which would be deleted.
        refusedWithoutEffect(RawRequest.of("DELETE", "/queue/" + queue + ";x"));
    }

    @Test
    void when_a_body_is_multipart_without_a_boundary_then_415_not_500() {
        RawResponse response = refusedWithoutEffect(RawRequest.of("POST", "/queue/" + queue + "/enqueue")
                .header("Content-Type", "multipart/form-data")
                .body("{\"message\": \"m\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(response.status()).isEqualTo(415);
    }

    @Test
    void when_the_request_is_not_well_formed_http_then_tomcat_answers_a_problem_too() {
        refusedWithoutEffect(RawRequest.of("DELETE", "/queue/a b"));
        refusedWithoutEffect(RawRequest.of("DELETE", "/queue/%zz"));
        refusedWithoutEffect(RawRequest.of("POST", "/queue/" + queue + "/enqueue")
                .header("Content-Type", "application/json")
                .header("Transfer-Encoding", "chunked")
                .body("zz\r\n{\"message\": \"m\"}\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(refusedWithoutEffect(RawRequest.of("TRACE", "/queue/" + queue))
                        .status())
                .isEqualTo(405);
    }

    @Test
    void when_the_container_error_path_is_asked_for_then_it_is_not_found_not_500() {
        assertThat(refusedWithoutEffect(RawRequest.of("GET", "/error")).status())
                .isEqualTo(404);
    }

    private RawResponse refusedWithoutEffect(RawRequest request) {
        return assertRejectedWithoutEffect(
                http,
                request,
                () -> List.of(
                        http.send(RawRequest.of("GET", "/queue")).toString(),
                        NODE.stateDigest(ReplicatedQueues.STATE_MACHINE)));
    }
}
