package io.sinkron.cache.web;

import static io.sinkron.fuzz.Problems.assertRejectedWithoutEffect;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.cache.CoherentCache;
import io.sinkron.cache.FakeClusterAccess;
import io.sinkron.client.ChannelFactory;
import io.sinkron.fuzz.RawHttp;
import io.sinkron.fuzz.RawRequest;
import io.sinkron.fuzz.RawResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.convention.TestBean;

/**
 * The bad input {@link CacheApiFuzzTest} found accepted, or answered with something other than a
 * problem detail, each pinned as the fuzzer sent it. Every request aims at a key that holds a
 * value, so one accepted by mistake shows as a new version.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "cache.consensus-nodes=fuzz:7001",
            "cache.instance-id=fuzz-instance",
            "cache.max-value-bytes=" + CacheApiFuzzTest.MAX_VALUE_BYTES,
            "cache.max-key-length=" + CacheApiFuzzTest.MAX_KEY_LENGTH
        })
class CacheFuzzFindingsTest {

    private static final AtomicInteger KEYS = new AtomicInteger();

    @TestBean
    ChannelFactory consensusChannels;

    @Autowired
    CoherentCache cache;

    @Autowired
    CacheRequests requests;

    @LocalServerPort
    int port;

    private RawHttp http;
    private String key;

    static ChannelFactory consensusChannels() {
        return FakeClusterAccess.channelsTo("fuzz");
    }

    @BeforeEach
    void writeAKey() {
        await().atMost(10, SECONDS).until(() -> cache.leaseValid() && cache.eventsConnected());
        http = new RawHttp(port, Duration.ofSeconds(15));
        key = "found-" + KEYS.incrementAndGet();
        assertThat(http.send(RawRequest.of("PUT", "/cache/" + key).json("{\"value\": 1}"))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void when_a_write_has_an_unknown_field_then_it_is_refused_not_written() {
        refusedWithoutEffect(RawRequest.of("PUT", "/cache/" + key).json("{\"value\": 2, \"TTL\": 5}"));
        refusedWithoutEffect(RawRequest.of("PUT", "/cache/" + key).json("{\"value\": 2, \"ttl \": 5}"));
    }

    @Test
    void when_the_key_is_a_dot_segment_then_it_is_refused() {
        for (String segment : List.of("..", "%2E%2E", ".")) {
            refusedWithoutEffect(RawRequest.of("PUT", "/cache/" + segment).json("{\"value\": 2}"));
            refusedWithoutEffect(RawRequest.of("DELETE", "/cache/" + segment));
        }
    }

    @Test
    void when_a_value_is_an_overlong_utf8_encoding_then_it_is_refused_not_decoded() {
        // C0 AF is an overlong "/": Jackson alone would store "a/b".
        var body = new ByteArrayOutputStream();
        body.writeBytes("{\"value\": \"a".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF});
        body.writeBytes("b\"}".getBytes(StandardCharsets.UTF_8));
        refusedWithoutEffect(RawRequest.of("PUT", "/cache/" + key)
                .header("Content-Type", "application/json")
                .body(body.toByteArray()));
    }

    @Test
    void when_the_accept_header_is_not_a_media_type_then_406_is_still_a_problem() {
        RawResponse response = refusedWithoutEffect(
                RawRequest.of("PUT", "/cache/" + key).json("{\"value\": 2}").header("Accept", "application/"));
        assertThat(response.status()).isEqualTo(406);
    }

    @Test
    void when_the_path_has_a_parameter_then_it_is_refused_not_stripped() {
        // Stripped, ";x" would leave /cache/<the key>, which would be written.
        refusedWithoutEffect(RawRequest.of("PUT", "/cache/" + key + ";x").json("{\"value\": 2}"));
    }

    @Test
    void when_a_body_is_multipart_without_a_boundary_then_415_not_500() {
        RawResponse response = refusedWithoutEffect(RawRequest.of("PUT", "/cache/" + key)
                .header("Content-Type", "multipart/form-data")
                .body("{\"value\": 2}".getBytes(StandardCharsets.UTF_8)));
        assertThat(response.status()).isEqualTo(415);
    }

    @Test
    void when_the_request_is_not_well_formed_http_then_tomcat_answers_a_problem_too() {
        refusedWithoutEffect(RawRequest.of("PUT", "/cache/%zz").json("{\"value\": 2}"));
        refusedWithoutEffect(
                RawRequest.of("PUT", "/cache/" + key).json("{\"value\": 2}").header("If-Match", "id\u007fx"));
        refusedWithoutEffect(RawRequest.of("PUT", "/cache/" + key)
                .header("Content-Type", "application/json")
                .header("Content-Length", "-1")
                .body("{\"value\": 2}".getBytes(StandardCharsets.UTF_8)));
        assertThat(refusedWithoutEffect(RawRequest.of("TRACE", "/cache/" + key)).status())
                .isEqualTo(405);
    }

    @Test
    void when_a_chunked_body_runs_past_the_body_limit_then_it_is_refused_with_413_while_it_is_read() {
        // No Content-Length announces the size: the limit must stop the stream itself.
        byte[] json = ("{\"value\": \"" + "x".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        var chunked = new ByteArrayOutputStream();
        for (int offset = 0; offset < json.length; offset += 8192) {
            int length = Math.min(8192, json.length - offset);
            chunked.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunked.write(json, offset, length);
            chunked.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        RawResponse response = refusedWithoutEffect(RawRequest.of("PUT", "/cache/" + key)
                .header("Content-Type", "application/json")
                .header("Transfer-Encoding", "chunked")
                .body(chunked.toByteArray()));

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.text()).contains("payload-too-large", "\"limit_bytes\":" + requests.maxBodyBytes());
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
                        http.send(RawRequest.of("GET", "/cache/" + key)).toString(),
                        http.send(RawRequest.of("GET", "/cache/" + key + "/state"))
                                .toString()));
    }
}
