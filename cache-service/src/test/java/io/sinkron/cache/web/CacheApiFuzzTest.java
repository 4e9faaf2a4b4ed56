package io.sinkron.cache.web;

import static io.sinkron.fuzz.Problems.assertRejectedWithoutEffect;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.cache.CoherentCache;
import io.sinkron.cache.FakeClusterAccess;
import io.sinkron.client.ChannelFactory;
import io.sinkron.fuzz.BadInput;
import io.sinkron.fuzz.BadInput.BadRequest;
import io.sinkron.fuzz.BadRequests;
import io.sinkron.fuzz.Endpoint;
import io.sinkron.fuzz.FuzzTries;
import io.sinkron.fuzz.JsonBody;
import io.sinkron.fuzz.JsonField;
import io.sinkron.fuzz.RawHttp;
import io.sinkron.fuzz.RawRequest;
import io.sinkron.fuzz.SpringTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.convention.TestBean;
import tools.jackson.databind.JsonNode;

/**
 * Bad input of every kind, sent over a real socket to every endpoint of the cache API: each request
 * must be answered with a 4xx problem detail and leave the key it aims at as it was, so that one
 * accepted by mistake would show as a new value, a new version, or a deleted key.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "cache.consensus-nodes=fuzz:7001",
            "cache.instance-id=fuzz-instance",
            "cache.max-value-bytes=" + CacheApiFuzzTest.MAX_VALUE_BYTES,
            "cache.max-key-length=" + CacheApiFuzzTest.MAX_KEY_LENGTH
        })
@AddLifecycleHook(SpringTestContext.class)
@AddLifecycleHook(FuzzTries.class)
class CacheApiFuzzTest {

    static final int MAX_VALUE_BYTES = 1024;
    static final int MAX_KEY_LENGTH = 64;

    /** 1 to the longest key length characters, none of them control characters. */
    private static final Predicate<String> VALID_KEY = k -> !k.isEmpty()
            && k.codePointCount(0, k.length()) <= MAX_KEY_LENGTH
            && k.chars().noneMatch(Character::isISOControl);

    private static final Pattern VERSION_TAG = Pattern.compile("\\*|\"[0-9]{1,18}\"");
    private static final AtomicInteger KEYS = new AtomicInteger();

    private static final JsonBody PUT = JsonBody.of(
                    JsonField.json("value", true, "\"v\"", CacheApiFuzzTest::acceptableValue),
                    JsonField.integer("ttl", false, 60_000, 1, CacheRequests.MAX_TTL_MILLIS))
            .withExample(Map.of("value", "\"overwritten\""))
            .limitedTo(6L * MAX_VALUE_BYTES + 65_536);
    private static final Set<String> KEY_METHODS = Set.of("GET", "PUT", "DELETE");
    private static final Endpoint PUT_KEY = new Endpoint("PUT", "/cache/%s", PUT, KEY_METHODS);
    private static final Endpoint DELETE_KEY = new Endpoint("DELETE", "/cache/%s", null, KEY_METHODS);
    private static final List<Endpoint> ENDPOINTS = List.of(
            PUT_KEY,
            new Endpoint("GET", "/cache/%s", null, KEY_METHODS),
            DELETE_KEY,
            new Endpoint("GET", "/cache/%s/state", null, Set.of("GET")),
            new Endpoint("GET", "/cache/stats", null, KEY_METHODS));

    /** The key every request aims at: written once, so it is at a known version. */
    private static String key;

    @TestBean
    ChannelFactory consensusChannels;

    @Autowired
    CoherentCache cache;

    @LocalServerPort
    int port;

    private RawHttp http;
    private BadRequests requests;

    static ChannelFactory consensusChannels() {
        return FakeClusterAccess.channelsTo("fuzz");
    }

    @BeforeProperty
    void writeTheKey() {
        await().atMost(10, SECONDS).until(() -> cache.leaseValid() && cache.eventsConnected());
        http = new RawHttp(port, Duration.ofSeconds(15));
        if (key == null) {
            String written = "fuzz-key-" + KEYS.incrementAndGet();
            assertThat(http.send(RawRequest.of("PUT", "/cache/" + written).json("{\"value\": {\"fuzz\": 1}}"))
                            .status())
                    .isEqualTo(200);
            key = written;
        }
        requests = new BadRequests(ENDPOINTS, e -> key);
    }

    /** Any JSON value whose compact text fits the size limit. */
    private static boolean acceptableValue(JsonNode value) {
        return value.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_VALUE_BYTES;
    }

    @Property
    void bad_bodies_are_refused_without_effect(@ForAll("badBodies") BadRequest bad) {
        assertRejectedWithoutEffect(http, bad, this::observe);
    }

    @Provide
    Arbitrary<BadRequest> badBodies() {
        return requests.bodies();
    }

    @Property
    void hostile_keys_are_refused_without_effect(@ForAll("hostileKeys") BadRequest bad) {
        assertRejectedWithoutEffect(http, bad, this::observe);
    }

    @Provide
    Arbitrary<BadRequest> hostileKeys() {
        return requests.hostileIds(VALID_KEY);
    }

    @Property
    void bad_if_match_headers_are_refused_without_effect(@ForAll("badIfMatch") BadRequest bad) {
        assertRejectedWithoutEffect(http, bad, this::observe);
    }

    @Provide
    Arbitrary<BadRequest> badIfMatch() {
        Arbitrary<String> tags = Arbitraries.oneOf(
                BadInput.headerValues(v -> VERSION_TAG.matcher(v).matches()),
                Arbitraries.of(
                        "W/\"1\"",
                        "\"1\", \"2\"",
                        "*, \"1\"",
                        "\"-1\"",
                        "\"1234567890123456789\"",
                        "\"99999999999999999999\"",
                        "\"1",
                        "1",
                        "\"\"",
                        "\"abc\"",
                        "\"1e3\"",
                        "\" 1\"",
                        "**"));
        return Arbitraries.of(PUT_KEY, DELETE_KEY)
                .flatMap(e -> tags.map(
                        tag -> new BadRequest("bad If-Match", e.request(key).header("If-Match", tag))));
    }

    @Property
    void wrong_methods_and_media_types_are_refused_without_effect(@ForAll("wrongMediaOrMethod") BadRequest bad) {
        assertRejectedWithoutEffect(http, bad, this::observe);
    }

    @Provide
    Arbitrary<BadRequest> wrongMediaOrMethod() {
        return requests.wrongMediaTypesAndMethods();
    }

    @Property
    void broken_http_is_refused_without_effect(@ForAll("brokenHttp") BadRequest bad) {
        assertRejectedWithoutEffect(http, bad, this::observe);
    }

    @Provide
    Arbitrary<BadRequest> brokenHttp() {
        return requests.brokenHttp(PUT_KEY);
    }

    /** What a request accepted by mistake would change: the key's value and version, and its directory entry. */
    private List<String> observe() {
        return List.of(
                http.send(RawRequest.of("GET", "/cache/" + key)).toString(),
                http.send(RawRequest.of("GET", "/cache/" + key + "/state")).toString());
    }
}
