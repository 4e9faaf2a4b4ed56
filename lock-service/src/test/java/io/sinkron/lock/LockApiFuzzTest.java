package io.sinkron.lock;

import static io.sinkron.fuzz.Problems.assertRejectedWithoutEffect;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Bad input of every kind, sent over a real socket to every endpoint of the lock API: each request
 * must be answered with a 4xx problem detail and leave the lock table as it was. The requests aim
 * at a lock and a session that exist, so that one accepted by mistake would show: a reentrant
 * hold, a release, a renewed lease, a new session.
 */
@AddLifecycleHook(SpringTestContext.class)
@AddLifecycleHook(FuzzTries.class)
class LockApiFuzzTest extends LockServiceTest {

    private static final String HOLDER = "fuzz-holder";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@~+=-]{1,128}");
    private static final Predicate<String> VALID_ID = id -> ID.matcher(id).matches();
    private static final long DAY_MILLIS = 86_400_000;

    private static final JsonBody ACQUIRE = JsonBody.of(
                    JsonField.oneOf("lock_type", true, Set.of("exclusive", "shared")),
                    JsonField.text("client_id", true, HOLDER, VALID_ID),
                    JsonField.integer("timeout", false, 0, 0, 600_000),
                    JsonField.integer("ttl", false, 30_000, 100, DAY_MILLIS),
                    JsonField.text("session_id", false, "session-1", VALID_ID))
            .withExample(Map.of("lock_type", "\"exclusive\"", "client_id", "\"" + HOLDER + "\"", "timeout", "0"));
    private static final JsonBody VALIDATE =
            JsonBody.of(JsonField.integer("fencing_token", true, 1, 0, Long.MAX_VALUE));
    private static final JsonBody OPEN_SESSION = JsonBody.of(
            JsonField.text("client_id", true, HOLDER, VALID_ID),
            JsonField.integer("ttl", true, 60_000, 100, DAY_MILLIS));

    private static final Set<String> LOCK_METHODS = Set.of("GET", "POST", "DELETE");
    private static final Endpoint ACQUIRE_LOCK = new Endpoint("POST", "/locks/%s", ACQUIRE, LOCK_METHODS);
    private static final List<Endpoint> ENDPOINTS = List.of(
            ACQUIRE_LOCK,
            new Endpoint("DELETE", "/locks/%s?client_id=" + HOLDER, null, LOCK_METHODS),
            new Endpoint("GET", "/locks/%s", null, LOCK_METHODS),
            new Endpoint("POST", "/locks/%s/validate", VALIDATE, Set.of("POST")),
            new Endpoint("POST", "/locks/%s/keepalive?client_id=" + HOLDER, null, Set.of("POST")),
            new Endpoint("POST", "/sessions", OPEN_SESSION, Set.of("POST")),
            new Endpoint("POST", "/sessions/%s/keepalive", null, Set.of("POST")),
            new Endpoint("DELETE", "/sessions/%s", null, Set.of("DELETE")),
            new Endpoint("GET", "/deadlocks", null, Set.of("GET")));

    /** A lock held exclusively and a lock held under a session, both by {@link #HOLDER}, for a day. */
    private record Fixture(InProcessConsensusNode node, String heldLock, String sessionLock, String sessionId) {}

    /** What a request accepted by mistake would change: the two held locks, the deadlocks, the whole table. */
    private record Observed(Reply heldLock, Reply sessionLock, Reply deadlocks, String lockTable) {}

    private static Fixture fixture;

    private RawHttp http;
    private BadRequests requests;

    @BeforeProperty
    void holdTheFixture() {
        http = new RawHttp(port, Duration.ofSeconds(15));
        if (fixture == null || fixture.node() != node) {
            fixture = hold();
        }
        requests = new BadRequests(
                ENDPOINTS, e -> e.path().startsWith("/sessions/") ? fixture.sessionId() : fixture.heldLock());
    }

    private Fixture hold() {
        String heldLock = unique("fuzz-held");
        assertThat(post("/locks/" + heldLock, """
                        {"lock_type": "exclusive", "client_id": "%s", "ttl": %d}""".formatted(HOLDER, DAY_MILLIS)).status())
                .isEqualTo(200);
        String sessionId = post("/sessions", """
                        {"client_id": "%s", "ttl": %d}""".formatted(HOLDER, DAY_MILLIS))
                .body()
                .path("session_id")
                .asString();
        String sessionLock = unique("fuzz-session-held");
        assertThat(post("/locks/" + sessionLock, """
                        {"lock_type": "shared", "client_id": "%s", "session_id": "%s"}""".formatted(HOLDER, sessionId))
                        .status())
                .isEqualTo(200);
        return new Fixture(node, heldLock, sessionLock, sessionId);
    }

    @Property
    void bad_bodies_are_refused_without_effect(@ForAll("badBodies") BadRequest bad) {
        check(bad);
    }

    @Provide
    Arbitrary<BadRequest> badBodies() {
        return requests.bodies();
    }

    @Property
    void hostile_ids_are_refused_without_effect(@ForAll("hostileIds") BadRequest bad) {
        check(bad);
    }

    @Provide
    Arbitrary<BadRequest> hostileIds() {
        return requests.hostileIds(VALID_ID);
    }

    @Property
    void hostile_owners_are_refused_without_effect(@ForAll("hostileOwners") BadRequest bad) {
        check(bad);
    }

    @Provide
    Arbitrary<BadRequest> hostileOwners() {
        return Arbitraries.of("DELETE", "POST").flatMap(method -> {
            String path = "/locks/" + fixture.heldLock() + (method.equals("POST") ? "/keepalive" : "");
            return Arbitraries.oneOf(
                    BadInput.queryValues(VALID_ID)
                            .map(v -> new BadRequest(
                                    "hostile client_id", RawRequest.of(method, path + "?client_id=" + v.wire()))),
                    BadInput.headerValues(VALID_ID)
                            .map(v -> new BadRequest(
                                    "hostile X-Client-Id",
                                    RawRequest.of(method, path).header("X-Client-Id", v))),
                    Arbitraries.of(
                            new BadRequest("no owner", RawRequest.of(method, path)),
                            new BadRequest(
                                    "two owners",
                                    RawRequest.of(method, path + "?client_id=" + HOLDER)
                                            .header("X-Client-Id", "fuzz-other")),
                            new BadRequest(
                                    "client_id twice",
                                    RawRequest.of(method, path + "?client_id=" + HOLDER + "&client_id=fuzz-other")),
                            new BadRequest(
                                    "X-Client-Id twice",
                                    RawRequest.of(method, path)
                                            .header("X-Client-Id", HOLDER)
                                            .header("X-Client-Id", "fuzz-other"))));
        });
    }

    @Property
    void wrong_methods_and_media_types_are_refused_without_effect(@ForAll("wrongMediaOrMethod") BadRequest bad) {
        check(bad);
    }

    @Provide
    Arbitrary<BadRequest> wrongMediaOrMethod() {
        return requests.wrongMediaTypesAndMethods();
    }

    @Property
    void broken_http_is_refused_without_effect(@ForAll("brokenHttp") BadRequest bad) {
        check(bad);
    }

    @Provide
    Arbitrary<BadRequest> brokenHttp() {
        return requests.brokenHttp(ACQUIRE_LOCK);
    }

    private void check(BadRequest bad) {
        // Log time moves on, so that a lease renewed by mistake would end later than before.
        node.tick(1);
        assertRejectedWithoutEffect(http, bad, this::observe);
    }

    private Observed observe() {
        return new Observed(
                get("/locks/" + fixture.heldLock()),
                get("/locks/" + fixture.sessionLock()),
                get("/deadlocks"),
                node.stateDigest("lock"));
    }
}
