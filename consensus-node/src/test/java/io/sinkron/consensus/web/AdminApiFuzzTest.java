package io.sinkron.consensus.web;

import static io.sinkron.fuzz.Problems.assertRejectedWithoutEffect;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;

import io.sinkron.consensus.ConsensusNodeApplication;
import io.sinkron.consensus.config.NodeSettings;
import io.sinkron.fuzz.BadInput.BadRequest;
import io.sinkron.fuzz.BadRequests;
import io.sinkron.fuzz.Endpoint;
import io.sinkron.fuzz.FuzzTries;
import io.sinkron.fuzz.JsonBody;
import io.sinkron.fuzz.JsonField;
import io.sinkron.fuzz.RawHttp;
import io.sinkron.fuzz.RawRequest;
import io.sinkron.fuzz.SpringTestContext;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bad input of every kind, sent over a real socket to the admin HTTP endpoints of a single-node
 * cluster: each request must be answered with a 4xx problem detail and leave the cluster as it
 * was, its membership, leader, term and snapshot. The membership request is one the node would
 * carry out (add a learner), so that one accepted by mistake would show in {@code /status}.
 */
@SpringBootTest(classes = ConsensusNodeApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(AdminApiFuzzTest.SingleNode.class)
@AddLifecycleHook(SpringTestContext.class)
@AddLifecycleHook(FuzzTries.class)
class AdminApiFuzzTest {

    private static final String NODE_ID = "fuzz-node";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Pattern MEMBER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:(\\d{1,5})");

    private static final JsonBody ADD_MEMBER = JsonBody.of(
                    JsonField.text(
                            "node_id",
                            true,
                            "fuzz-learner",
                            id -> MEMBER_ID.matcher(id).matches()),
                    JsonField.text("address", true, "127.0.0.1:1", AdminApiFuzzTest::validAddress),
                    JsonField.bool("voter", false))
            .withExample(Map.of("node_id", "\"fuzz-learner\"", "address", "\"127.0.0.1:1\"", "voter", "false"));
    private static final JsonBody TRANSFER = JsonBody.of(JsonField.text("node_id", false, "fuzz-absent", id -> true))
            .withExample(Map.of("node_id", "\"fuzz-absent\""))
            .optionalBody();

    private static final Endpoint ADD = new Endpoint("POST", "/cluster/members", ADD_MEMBER, Set.of("POST"));
    private static final List<Endpoint> ENDPOINTS = List.of(
            ADD,
            new Endpoint("DELETE", "/cluster/members/%s", null, Set.of("DELETE")),
            new Endpoint("POST", "/cluster/leader/transfer", TRANSFER, Set.of("POST")),
            new Endpoint("POST", "/cluster/snapshot", null, Set.of("POST")),
            new Endpoint("GET", "/status", null, Set.of("GET")),
            new Endpoint("GET", "/health", null, Set.of("GET")));

    /** One voter, alone, with a WAL in a fresh directory and snapshots only when asked for. */
    @TestConfiguration(proxyBeanMethods = false)
    static class SingleNode {

        @Bean
        NodeSettings nodeSettings() throws IOException {
            int grpcPort;
            try (var socket = new ServerSocket(0)) {
                grpcPort = socket.getLocalPort();
            }
            return new NodeSettings(
                    NODE_ID,
                    Map.of(NODE_ID, "127.0.0.1:" + grpcPort),
                    "127.0.0.1",
                    grpcPort,
                    Files.createTempDirectory("sinkron-admin-fuzz"),
                    0,
                    100,
                    500,
                    1000,
                    8.0,
                    100,
                    5,
                    3_600_000,
                    250,
                    10_000_000,
                    10_000,
                    false);
        }
    }

    @LocalServerPort
    int port;

    private RawHttp http;
    private BadRequests requests;

    @BeforeProperty
    void leading() {
        http = new RawHttp(port, Duration.ofSeconds(15));
        await().atMost(30, SECONDS)
                .until(() -> http.send(RawRequest.of("GET", "/health")).status() == 200);
        requests = new BadRequests(ENDPOINTS, e -> "fuzz-absent");
    }

    private static boolean validAddress(String address) {
        var matcher = ADDRESS.matcher(address);
        if (!matcher.matches()) {
            return false;
        }
        int port = Integer.parseInt(matcher.group(1));
        return port >= 1 && port <= 65_535;
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
    void hostile_member_ids_are_refused_without_effect(@ForAll("hostileIds") BadRequest bad) {
        assertRejectedWithoutEffect(http, bad, this::observe);
    }

    @Provide
    Arbitrary<BadRequest> hostileIds() {
        // Removing this node is the one removal the cluster could carry out; anything else is unknown to it.
        return requests.hostileIds(NODE_ID::equals);
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
        return requests.brokenHttp(ADD);
    }

    private JsonNode observe() {
        return clusterShape(http);
    }

    /**
     * What a request accepted by mistake would change: who the members are and how, who leads in
     * which term, and the latest snapshot. Not the indexes, which the leader's clock entries move.
     */
    static JsonNode clusterShape(RawHttp http) {
        ObjectNode status = (ObjectNode)
                JSON.readTree(http.send(RawRequest.of("GET", "/status")).body());
        status.remove(List.of("commit_index", "last_applied", "last_log_index"));
        status.withArray("members")
                .forEach(member -> ((ObjectNode) member).remove(List.of("match_index", "failure_detector")));
        return status;
    }
}
