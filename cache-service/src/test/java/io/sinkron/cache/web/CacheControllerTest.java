package io.sinkron.cache.web;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.cache.FakeClusterAccess;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import tools.jackson.databind.JsonNode;

class CacheControllerTest extends RestTestSupport {

    @Autowired
    CacheKeyMapping cacheKeyMapping;

    @Test
    void when_a_key_is_written_then_it_is_read_back_with_its_version_as_etag_from_the_near_cache() {
        String key = key();

        MvcTestResult put = put(key, "{\"value\": {\"a\": [1, 2.50, \"x\"], \"b\": null}}", null);

        assertThat(put).hasStatusOk();
        long version = json(put).get("version").asLong();
        assertThat(json(put).get("key").asString()).isEqualTo(key);
        assertThat(put.getResponse().getHeader(HttpHeaders.ETAG)).isEqualTo("\"" + version + "\"");

        MvcTestResult get = mvc.get().uri("/cache/{key}", key).exchange();
        assertThat(get).hasStatusOk().hasContentTypeCompatibleWith(MediaType.APPLICATION_JSON);
        assertThat(body(get))
                .isEqualTo("{\"key\":\"" + key + "\",\"value\":{\"a\":[1,2.50,\"x\"],\"b\":null},\"version\":" + version
                        + "}");
        assertThat(get.getResponse().getHeader(HttpHeaders.ETAG)).isEqualTo("\"" + version + "\"");
        assertThat(get.getResponse().getHeader("X-Cache")).isEqualTo("HIT");
        assertThat(get.getResponse().getHeader("X-Cache-State")).isEqualTo("MODIFIED");
    }

    @Test
    void when_a_get_names_the_current_version_in_if_none_match_then_it_answers_304_and_a_stale_one_gets_the_value() {
        String key = key();
        long version = json(put(key, "{\"value\": 7}", null)).get("version").asLong();

        MvcTestResult current = mvc.get()
                .uri("/cache/{key}", key)
                .header(HttpHeaders.IF_NONE_MATCH, "\"" + version + "\"")
                .exchange();
        assertThat(current).hasStatus(304);
        assertThat(current.getResponse().getHeader(HttpHeaders.ETAG)).isEqualTo("\"" + version + "\"");
        assertThat(current.getResponse().getContentAsByteArray()).isEmpty();

        MvcTestResult stale = mvc.get()
                .uri("/cache/{key}", key)
                .header(HttpHeaders.IF_NONE_MATCH, "\"" + (version - 1) + "\"")
                .exchange();
        assertThat(stale).hasStatusOk();
        assertThat(json(stale).get("value").asInt()).isEqualTo(7);

        // If-Match is a precondition of writes; a GET ignores it (RFC 9110 13.1.1 lets a safe
        // method do so), as Spring MVC does.
        MvcTestResult ifMatch = mvc.get()
                .uri("/cache/{key}", key)
                .header(HttpHeaders.IF_MATCH, "\"" + (version - 1) + "\"")
                .exchange();
        assertThat(ifMatch).hasStatusOk();
    }

    @Test
    void when_a_value_is_read_then_the_body_has_a_content_length_rather_than_chunks() {
        String key = key();
        put(key, "{\"value\": \"v\"}", null);

        MvcTestResult get = mvc.get().uri("/cache/{key}", key).exchange();

        assertThat(get.getResponse().getContentLength())
                .isEqualTo(get.getResponse().getContentAsByteArray().length)
                .isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"text\"", "42", "-1.5e300", "true", "null", "[]", "{}", "123456789012345678901234567890"})
    void when_any_json_value_is_written_then_it_is_returned_as_written(String value) {
        String key = key();
        assertThat(put(key, "{\"value\":" + value + "}", null)).hasStatusOk();

        JsonNode read = json(mvc.get().uri("/cache/{key}", key).exchange());

        // Numbers keep their digits; only the exponent's spelling is Jackson's.
        assertThat(read.get("value").toString()).isEqualTo(value.equals("-1.5e300") ? "-1.5E300" : value);
    }

    @Test
    void when_a_key_is_absent_then_get_state_and_delete_answer_not_found_problems() {
        String key = key();

        for (MvcTestResult result : List.of(
                mvc.get().uri("/cache/{key}", key).exchange(),
                mvc.get().uri("/cache/{key}/state", key).exchange(),
                mvc.delete().uri("/cache/{key}", key).exchange())) {
            assertProblem(result, 404, "not-found");
            assertThat(json(result).get("key").asString()).isEqualTo(key);
        }
    }

    @Test
    void when_if_match_names_the_current_version_then_the_write_happens_and_otherwise_it_is_refused_with_412() {
        String key = key();
        long version = json(put(key, "{\"value\":1}", null)).get("version").asLong();

        MvcTestResult stale = put(key, "{\"value\":2}", "\"" + (version + 1) + "\"");
        assertProblem(stale, 412, "version-mismatch");
        assertThat(json(stale).get("current_version").asLong()).isEqualTo(version);

        MvcTestResult matching = put(key, "{\"value\":3}", "\"" + version + "\"");
        assertThat(matching).hasStatusOk();
        assertThat(json(mvc.get().uri("/cache/{key}", key).exchange())
                        .get("value")
                        .asInt())
                .isEqualTo(3);
    }

    @Test
    void when_if_match_is_a_star_then_only_an_existing_key_is_written() {
        String key = key();

        assertProblem(put(key, "{\"value\":1}", "*"), 412, "version-mismatch");
        assertThat(put(key, "{\"value\":1}", null)).hasStatusOk();
        assertThat(put(key, "{\"value\":2}", "*")).hasStatusOk();
    }

    @Test
    void when_two_clients_put_with_the_same_if_match_concurrently_then_exactly_one_wins() throws Exception {
        String key = key();
        long version = json(put(key, "{\"value\":0}", null)).get("version").asLong();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 10; round++) {
                var barrier = new CyclicBarrier(2);
                String ifMatch = "\"" + version + "\"";
                List<CompletableFuture<MvcTestResult>> puts = List.of(1, 2).stream()
                        .map(writer -> CompletableFuture.supplyAsync(
                                () -> {
                                    arrive(barrier);
                                    return put(key, "{\"value\":" + writer + "}", ifMatch);
                                },
                                threads))
                        .toList();
                List<Integer> statuses = puts.stream()
                        .map(CompletableFuture::join)
                        .map(result -> result.getResponse().getStatus())
                        .sorted()
                        .toList();
                assertThat(statuses).as("round %d", round).containsExactly(200, 412);
                version = puts.stream()
                        .map(CompletableFuture::join)
                        .filter(result -> result.getResponse().getStatus() == 200)
                        .mapToLong(result -> json(result).get("version").asLong())
                        .findFirst()
                        .orElseThrow();
            }
        }
    }

    @Test
    void when_many_clients_write_concurrently_then_each_gets_its_own_answer_and_reads_see_the_latest()
            throws Exception {
        String prefix = key();
        String shared = prefix + "-s";
        int writers = 24;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var barrier = new CyclicBarrier(writers);
            List<CompletableFuture<MvcTestResult>> puts = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                // Every third writer writes the shared key; the others a key of their own.
                String key = i % 3 == 0 ? shared : prefix + "-" + i;
                String body = "{\"value\":" + i + "}";
                puts.add(CompletableFuture.supplyAsync(
                        () -> {
                            arrive(barrier);
                            return put(key, body, null);
                        },
                        threads));
            }
            long sharedVersion = 0;
            int sharedValue = -1;
            List<Long> sharedVersions = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                MvcTestResult put = puts.get(i).get(10, SECONDS);
                assertThat(put).as(body(put)).hasStatusOk();
                long version = json(put).get("version").asLong();
                String key = i % 3 == 0 ? shared : prefix + "-" + i;
                assertThat(json(put).get("key").asString()).isEqualTo(key);
                assertThat(put.getResponse().getHeader(HttpHeaders.ETAG)).isEqualTo("\"" + version + "\"");
                if (key.equals(shared)) {
                    sharedVersions.add(version);
                    if (version > sharedVersion) {
                        sharedVersion = version;
                        sharedValue = i;
                    }
                } else {
                    MvcTestResult get = mvc.get().uri("/cache/{key}", key).exchange();
                    assertThat(json(get).get("value").asInt()).isEqualTo(i);
                    assertThat(json(get).get("version").asLong()).isEqualTo(version);
                }
            }
            assertThat(sharedVersions)
                    .as("each write of one key has a version of its own")
                    .doesNotHaveDuplicates();
            MvcTestResult get = mvc.get().uri("/cache/{key}", shared).exchange();
            assertThat(json(get).get("value").asInt()).isEqualTo(sharedValue);
            assertThat(json(get).get("version").asLong()).isEqualTo(sharedVersion);
        }
    }

    @Test
    void when_a_key_is_deleted_then_it_answers_204_and_is_gone() {
        String key = key();
        long version = json(put(key, "{\"value\":1}", null)).get("version").asLong();

        assertProblem(
                mvc.delete()
                        .uri("/cache/{key}", key)
                        .header(HttpHeaders.IF_MATCH, "\"" + (version + 5) + "\"")
                        .exchange(),
                412,
                "version-mismatch");
        MvcTestResult deleted = mvc.delete()
                .uri("/cache/{key}", key)
                .header(HttpHeaders.IF_MATCH, "\"" + version + "\"")
                .exchange();

        assertThat(deleted).hasStatus(204);
        assertProblem(mvc.get().uri("/cache/{key}", key).exchange(), 404, "not-found");
    }

    @Test
    void when_a_ttl_runs_out_then_the_key_is_gone() {
        String key = key();
        assertThat(put(key, "{\"value\":1,\"ttl\":300}", null)).hasStatusOk();
        assertThat(mvc.get().uri("/cache/{key}", key).exchange()).hasStatusOk();

        await().atMost(10, SECONDS)
                .untilAsserted(
                        () -> assertThat(mvc.get().uri("/cache/{key}", key).exchange())
                                .hasStatus(404));
    }

    @Test
    void when_the_state_of_a_key_is_asked_then_the_directory_lists_its_holders() {
        String key = key();
        long version = json(put(key, "{\"value\":1}", null)).get("version").asLong();

        MvcTestResult state = mvc.get().uri("/cache/{key}/state", key).exchange();

        assertThat(state).hasStatusOk();
        assertThat(body(state))
                .isEqualTo("{\"key\":\"" + key + "\",\"version\":" + version
                        + ",\"holders\":[{\"instance_id\":\"rest-instance\",\"state\":\"MODIFIED\"}]}");
    }

    @Test
    void when_stats_are_asked_then_they_describe_this_instance() {
        String key = key();
        put(key, "{\"value\":1}", null);
        mvc.get().uri("/cache/{key}", key).exchange();

        JsonNode stats = json(mvc.get().uri("/cache/stats").exchange());

        assertThat(stats.get("instance_id").asString()).isEqualTo("rest-instance");
        assertThat(stats.get("capacity").asInt()).isEqualTo(10_000);
        assertThat(stats.get("size").asInt()).isPositive();
        assertThat(stats.get("hits").asLong()).isPositive();
        assertThat(stats.get("hit_ratio").asDouble()).isBetween(0.0, 1.0);
        assertThat(stats.get("states").get("MODIFIED").asInt()).isPositive();
        assertThat(stats.properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactly(
                        "instance_id",
                        "size",
                        "capacity",
                        "hits",
                        "misses",
                        "hit_ratio",
                        "evictions",
                        "invalidations_received",
                        "states");
        assertThat(stats.get("states").properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactly("MODIFIED", "EXCLUSIVE", "SHARED");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"ttl\": 5}",
                "{\"value\": 1, \"ttl\": 0}",
                "{\"value\": 1, \"ttl\": -5}",
                "{\"value\": 1, \"ttl\": 1.5}",
                "{\"value\": 1, \"ttl\": \"soon\"}",
                "{\"value\": 1, \"ttl\": 315360000001}",
                "{\"value\": 1, \"ttl\": 99999999999999999999999}",
                "not json",
                "[1, 2]",
                "{\"value\": 1"
            })
    void when_the_body_is_bad_then_put_answers_a_validation_problem(String body) {
        assertProblem(put(key(), body, null), 400, "validation");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "W/\"1\"", "\"1\", \"2\"", "\"-1\"", "\"1", "\"99999999999999999999\"", ""})
    void when_if_match_is_malformed_then_the_write_answers_a_validation_problem(String ifMatch) {
        assertProblem(put(key(), "{\"value\": 1}", ifMatch), 400, "validation");
        assertProblem(
                mvc.delete()
                        .uri("/cache/{key}", key())
                        .header(HttpHeaders.IF_MATCH, ifMatch)
                        .exchange(),
                400,
                "validation");
    }

    @Test
    void when_the_key_is_empty_too_long_or_has_control_characters_then_it_is_a_validation_problem() {
        // Already encoded: the control character reaches the service as %01.
        for (URI path : Stream.of("/cache/", "/cache/abcdefghijklmnopq", "/cache/a%01b")
                .map(URI::create)
                .toList()) {
            assertProblem(mvc.get().uri(path).exchange(), 400, "validation");
            assertProblem(
                    mvc.put()
                            .uri(path)
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"value\":1}")
                            .exchange(),
                    400,
                    "validation");
            assertProblem(mvc.delete().uri(path).exchange(), 400, "validation");
        }
        assertProblem(mvc.get().uri("/cache/abcdefghijklmnopq/state").exchange(), 400, "validation");
        assertThat(put("abcdefghijklmnop", "{\"value\":1}", null))
                .as("16 characters are fine")
                .hasStatusOk();
    }

    @Test
    void when_the_value_is_over_the_size_limit_then_put_answers_413() {
        String atLimit = "\"" + "x".repeat(62) + "\"";
        assertThat(put(key(), "{\"value\":" + atLimit + "}", null)).hasStatusOk();

        MvcTestResult tooLarge = put(key(), "{\"value\":\"" + "x".repeat(63) + "\"}", null);
        assertProblem(tooLarge, 413, "payload-too-large");
        assertThat(json(tooLarge).get("limit_bytes").asInt()).isEqualTo(64);
        assertProblem(put(key(), "{\"value\":\"" + "x".repeat(1_000_000) + "\"}", null), 413, "payload-too-large");
    }

    @Test
    void when_the_request_is_not_what_the_api_takes_then_the_problem_is_typed_by_its_status() {
        assertProblem(
                mvc.put()
                        .uri("/cache/{key}", key())
                        .contentType(MediaType.TEXT_PLAIN)
                        .content("1")
                        .exchange(),
                415,
                "unsupported-media-type");
        assertProblem(mvc.post().uri("/cache/{key}", key()).exchange(), 405, "method-not-allowed");
        assertProblem(mvc.get().uri("/cache/a/b/c").exchange(), 404, "not-found");
    }

    @Test
    void when_a_key_is_read_or_written_then_its_route_is_found_first_and_everything_else_is_left_to_spring_mvc()
            throws Exception {
        assertThat(readHandler("GET", "/cache/k", null)).isNotNull();
        assertThat(readHandler("GET", "/cache/k%20v", "application/json, application/problem+json"))
                .isNotNull();
        assertThat(readHandler("GET", "/cache/k", "*/*")).isNotNull();
        assertThat(readHandler("GET", "/cache/stats", null)).isNull();
        assertThat(readHandler("GET", "/cache/k/state", null)).isNull();
        assertThat(readHandler("GET", "/cache/", null)).isNull();
        assertThat(readHandler("GET", "/cached/k", null)).isNull();
        assertThat(readHandler("DELETE", "/cache/k", null)).isNull();
        assertThat(handler("PUT", "/cache/k", null, "application/json")).isNotNull();
        assertThat(handler("PUT", "/cache/k", null, "application/json;charset=UTF-8"))
                .isNotNull();
        assertThat(handler("PUT", "/cache/k", null, null)).isNull();
        assertThat(handler("PUT", "/cache/k", null, "text/plain")).isNull();
        assertThat(handler("PUT", "/cache/k", "text/plain", "application/json")).isNull();
        assertThat(handler("PUT", "/cache/stats", null, "application/json")).isNull();
        assertThat(readHandler("GET", "/cache/k", "text/plain")).isNull();
        assertThat(readHandler("GET", "/cache/k", "application/json;q=0")).isNull();
        assertThat(readHandler("GET", "/cache/k", "not a media type")).isNull();

        String key = key();
        put(key, "{\"value\":1}", null);
        assertThat(mvc.get()
                        .uri("/cache/{key}", key)
                        .accept(MediaType.TEXT_PLAIN)
                        .exchange())
                .hasStatus(406);
        assertProblem(mvc.get().uri("/cache/{key}", key()).exchange(), 404, "not-found");
        MvcTestResult spaced = mvc.get().uri("/cache/{key}", "a b").exchange();
        assertThat(spaced).hasStatus(404);
        assertThat(json(spaced).get("detail").asString()).contains("a b");
        assertThat(body(mvc.get().uri("/actuator/prometheus").exchange()))
                .as("requests are tagged with the route's pattern")
                .contains("uri=\"/cache/{key}\"");
    }

    private Object readHandler(String method, String path, String accept) throws Exception {
        return handler(method, path, accept, null);
    }

    private Object handler(String method, String path, String accept, String contentType) throws Exception {
        var request = new MockHttpServletRequest(method, path);
        if (accept != null) {
            request.addHeader(HttpHeaders.ACCEPT, accept);
        }
        if (contentType != null) {
            request.setContentType(contentType);
        }
        ServletRequestPathUtils.parseAndCache(request);
        HandlerExecutionChain chain = cacheKeyMapping.getHandler(request);
        if (chain == null) {
            return null;
        }
        assertThat(request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE))
                .isEqualTo(java.util.Map.of(
                        "key", path.substring("/cache/".length()).replace("%20", " ")));
        return chain.getHandler();
    }

    @Test
    void when_the_cluster_cannot_be_reached_then_a_miss_answers_503_with_retry_after() {
        String key = key();
        FakeClusterAccess.cutOff("rest", true);
        try {
            MvcTestResult result = mvc.get().uri("/cache/{key}", key).exchange();

            assertProblem(result, 503, "unavailable");
            assertThat(result.getResponse().getHeader(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        } finally {
            FakeClusterAccess.cutOff("rest", false);
        }
    }

    @Test
    void when_readiness_is_asked_then_it_includes_the_consensus_cluster() {
        MvcTestResult readiness = mvc.get().uri("/actuator/health/readiness").exchange();

        assertThat(readiness).hasStatusOk();
        JsonNode body = json(readiness);
        assertThat(body.get("status").asString()).isEqualTo("UP");
        assertThat(body.get("components").get("consensus").get("status").asString())
                .isEqualTo("UP");
        assertThat(body.get("components")
                        .get("consensus")
                        .get("details")
                        .get("lease_valid")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void when_prometheus_scrapes_then_the_cache_metrics_are_there() {
        String key = key();
        put(key, "{\"value\":1}", null);
        mvc.get().uri("/cache/{key}", key).exchange();

        String scrape = body(mvc.get().uri("/actuator/prometheus").exchange());

        assertThat(scrape)
                .contains(
                        "sinkron_cache_hits_total",
                        "sinkron_cache_misses_total",
                        "sinkron_cache_hit_ratio",
                        "sinkron_cache_evictions_total",
                        "sinkron_cache_invalidations_sent_total",
                        "sinkron_cache_invalidations_received_total",
                        "sinkron_cache_invalidation_round_trip_seconds_bucket",
                        "sinkron_cache_write_latency_seconds_bucket",
                        "sinkron_cache_lines{application=\"cache-service\",state=\"MODIFIED\"}",
                        "sinkron_cache_lease_valid");
    }

    private MvcTestResult put(String key, String body, String ifMatch) {
        var request = mvc.put()
                .uri("/cache/{key}", key)
                .contentType(MediaType.APPLICATION_JSON)
                .content(body);
        if (ifMatch != null) {
            request.header(HttpHeaders.IF_MATCH, ifMatch);
        }
        return request.exchange();
    }

    private static void assertProblem(MvcTestResult result, int status, String kind) {
        String body = body(result);
        assertThat(result).as(body).hasStatus(status).hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = json(result);
        assertThat(problem.path("type").asString("")).as(body).isEqualTo("https://sinkron.io/problems/" + kind);
        assertThat(problem.path("status").asInt(0)).as(body).isEqualTo(status);
        assertThat(problem.path("title").asString("")).as(body).isNotBlank();
    }

    private static String key() {
        return UUID.randomUUID().toString().substring(0, 12);
    }

    private static void arrive(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
