package io.sinkron.consensus.web;

import static io.sinkron.fuzz.Problems.assertRejectedWithoutEffect;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.consensus.ConsensusNodeApplication;
import io.sinkron.fuzz.RawHttp;
import io.sinkron.fuzz.RawRequest;
import io.sinkron.fuzz.RawResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The bad input {@link AdminApiFuzzTest} found accepted, or answered with something other than a
 * Sinkron problem detail, each pinned as the fuzzer sent it, against the same single-node cluster.
 */
@SpringBootTest(classes = ConsensusNodeApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(AdminApiFuzzTest.SingleNode.class)
class AdminFuzzFindingsTest {

    @LocalServerPort
    int port;

    private RawHttp http;

    @BeforeEach
    void leading() {
        http = new RawHttp(port, Duration.ofSeconds(15));
        await().atMost(30, SECONDS)
                .until(() -> http.send(RawRequest.of("GET", "/health")).status() == 200);
    }

    @Test
    void when_a_node_id_is_a_number_then_no_member_is_added() {
        refusedWithoutEffect(RawRequest.of("POST", "/cluster/members").json("""
                {"node_id": 9223372036854775807, "address": "127.0.0.1:1", "voter": false}"""));
    }

    @Test
    void when_an_add_has_an_unknown_field_or_a_voter_as_a_string_then_no_member_is_added() {
        refusedWithoutEffect(RawRequest.of("POST", "/cluster/members").json("""
                {"node_id": "fuzz-learner", "address": "127.0.0.1:1", "voter": false, "nodeId": "x"}"""));
        refusedWithoutEffect(RawRequest.of("POST", "/cluster/members").json("""
                {"node_id": "fuzz-learner", "address": "127.0.0.1:1", "voter": "false"}"""));
    }

    @Test
    void when_no_answer_could_be_json_then_406_comes_before_the_snapshot_or_the_change() {
        refusedWithoutEffect(RawRequest.of("POST", "/cluster/snapshot").header("Accept", "application/xml"));
        refusedWithoutEffect(RawRequest.of("POST", "/cluster/members").json("""
                        {"node_id": "fuzz-learner", "address": "127.0.0.1:1", "voter": false}""").header("Accept", "application/xml"));
        assertThat(refusedWithoutEffect(
                                RawRequest.of("POST", "/cluster/snapshot").header("Accept", "application/"))
                        .status())
                .isEqualTo(406);
    }

    @Test
    void when_spring_mvc_refuses_a_request_then_the_problem_has_a_sinkron_type() {
        refusedWithoutEffect(RawRequest.of("POST", "/cluster/members").json("{\"node_id\": "));
        refusedWithoutEffect(RawRequest.of("GET", "/cluster/snapshot"));
        refusedWithoutEffect(RawRequest.of("POST", "/cluster/leader/transfer")
                .header("Content-Type", "text/plain")
                .body("{}".getBytes(StandardCharsets.UTF_8)));
        refusedWithoutEffect(RawRequest.of("DELETE", "/cluster/members/"));
    }

    @Test
    void when_the_path_has_a_parameter_then_it_is_refused_not_stripped() {
        // Stripped, ";x" would leave /cluster/snapshot, and the node would take a snapshot.
        assertThat(refusedWithoutEffect(RawRequest.of("POST", "/cluster/snapshot;x"))
                        .status())
                .isEqualTo(400);
    }

    @Test
    void when_a_body_is_multipart_without_a_boundary_then_415_not_500() {
        RawResponse response = refusedWithoutEffect(RawRequest.of("POST", "/cluster/leader/transfer")
                .header("Content-Type", "multipart/form-data")
                .body("{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(response.status()).isEqualTo(415);
    }

    @Test
    void when_the_request_is_not_well_formed_http_then_tomcat_answers_a_problem_too() {
        refusedWithoutEffect(RawRequest.of("DELETE", "/cluster/members/{}"));
        refusedWithoutEffect(RawRequest.of("POST", "/cluster/members")
                .header("Content-Type", "application/json")
                .header("Content-Length", "74")
                .body("{\"node_id\": \"fuzz-learner\", \"address\": \"127.0.0.1:1\"}".getBytes(StandardCharsets.UTF_8))
                .endingInput());
        refusedWithoutEffect(RawRequest.of("POST", "/cluster/members").header("Bad Header", "x"));
        assertThat(refusedWithoutEffect(RawRequest.of("TRACE", "/status")).status())
                .isEqualTo(405);
    }

    @Test
    void when_the_container_error_path_is_asked_for_then_it_is_not_found_not_500() {
        assertThat(refusedWithoutEffect(RawRequest.of("GET", "/error")).status())
                .isEqualTo(404);
    }

    @Test
    void when_a_body_is_over_the_size_limit_then_413_before_it_is_read() {
        String add = "{\"node_id\": \"fuzz-learner\", \"address\": \"127.0.0.1:1\", \"voter\": false}";
        RawResponse announced =
                refusedWithoutEffect(RawRequest.of("POST", "/cluster/members").json(add + " ".repeat(20 * 1024)));
        assertThat(announced.status()).isEqualTo(413);
        assertThat(announced.text()).contains("payload-too-large");
        RawResponse streamed = refusedWithoutEffect(chunked(RawRequest.of("POST", "/cluster/members"), add, 20 * 1024));
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(streamed.text()).contains("payload-too-large");
    }

    /** {@code json} padded with spaces (still valid JSON) to {@code size} bytes, sent in chunks without a length. */
    private static RawRequest chunked(RawRequest request, String json, int size) {
        byte[] padded = (json + " ".repeat(size - json.length())).getBytes(StandardCharsets.UTF_8);
        var body = new java.io.ByteArrayOutputStream();
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

    private RawResponse refusedWithoutEffect(RawRequest request) {
        return assertRejectedWithoutEffect(http, request, () -> AdminApiFuzzTest.clusterShape(http));
    }
}
