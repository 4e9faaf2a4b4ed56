package io.sinkron.queue;

import static io.sinkron.fuzz.Problems.assertRejectedWithoutEffect;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.sinkron.fuzz.BadInput.BadRequest;
import io.sinkron.fuzz.BadRequests;
import io.sinkron.fuzz.Endpoint;
import io.sinkron.fuzz.FuzzTries;
import io.sinkron.fuzz.JsonBody;
import io.sinkron.fuzz.JsonField;
import io.sinkron.fuzz.RawHttp;
import io.sinkron.fuzz.RawRequest;
import io.sinkron.fuzz.SpringTestContext;
import io.sinkron.queue.service.ReplicatedQueues;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/**
 * Bad input of every kind, sent over a real socket to every endpoint of the queue API: each
 * request must be answered with a 4xx problem detail and leave the queues as they were. The
 * requests aim at a queue holding one visible and one delivered message, with the real receipt of
 * the delivery, so that one accepted by mistake would show: a message enqueued, delivered, acked
 * or given back, a lease changed, the configuration replaced, the queue deleted.
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
@AddLifecycleHook(SpringTestContext.class)
@AddLifecycleHook(FuzzTries.class)
class QueueApiFuzzTest extends QueueServiceTest {

    private static final long MAX_REQUEST_BYTES = 16 * 1024;
    private static final long MAX_MESSAGE_BYTES = 1024;
    /** The longest lease, delay and visibility timeout the queue state machine takes: 12 hours. */
    private static final long MAX_TIMEOUT_MILLIS = 43_200_000;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,255}");
    private static final Predicate<String> VALID_NAME =
            name -> NAME.matcher(name).matches();
    private static final AtomicInteger QUEUES = new AtomicInteger();

    /** A queue with one visible message and one delivered for 12 hours, and that delivery. */
    private record Fixture(String queue, String messageId, String receipt) {}

    private static Fixture fixture;

    @LocalServerPort
    int port;

    private RawHttp http;
    private BadRequests requests;
    private List<Endpoint> endpoints;

    @BeforeProperty
    void fillTheFixture() throws Exception {
        http = new RawHttp(port, Duration.ofSeconds(15));
        if (fixture == null) {
            fixture = fill();
        }
        endpoints = endpoints(fixture);
        requests = new BadRequests(endpoints, e -> fixture.queue());
    }

    private Fixture fill() throws Exception {
        String queue = "fuzz-queue-" + QUEUES.incrementAndGet();
        mvc.perform(put("/queue/" + queue)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"delivery_limit\": 7}"))
                .andExpect(status().isOk());
        postJson("/queue/" + queue + "/enqueue", "{\"message\": \"delivered\"}").andExpect(status().isCreated());
        var delivery = postJson("/queue/" + queue + "/dequeue", "{\"visibility_timeout\": " + MAX_TIMEOUT_MILLIS + "}");
        postJson("/queue/" + queue + "/enqueue", "{\"message\": \"visible\"}").andExpect(status().isCreated());
        return new Fixture(queue, read(delivery, "$.messages[0].message_id"), read(delivery, "$.messages[0].receipt"));
    }

    private static List<Endpoint> endpoints(Fixture fixture) {
        Map<String, String> receipt = Map.of(
                "message_id", JsonField.quote(fixture.messageId()), "receipt", JsonField.quote(fixture.receipt()));
        JsonField messageId = JsonField.text("message_id", true, fixture.messageId(), id -> !id.isBlank());
        JsonField receiptField = JsonField.text("receipt", true, fixture.receipt(), r -> !r.isBlank());
        JsonBody enqueue = JsonBody.of(
                        JsonField.json("message", true, "\"fuzz\"", QueueApiFuzzTest::acceptableMessage),
                        JsonField.text("partition_key", false, "k", key -> true),
                        JsonField.text("dedup_id", false, "d", id -> true),
                        JsonField.integer("delay_ms", false, 0, 0, MAX_TIMEOUT_MILLIS),
                        JsonField.json("messages", false, "[{\"message\": 1}]", node -> node.isArray()))
                .limitedTo(MAX_REQUEST_BYTES);
        JsonBody dequeue = JsonBody.of(
                        JsonField.integer("max_messages", false, 1, 1, 100),
                        JsonField.integer("visibility_timeout", false, 1_000, 0, MAX_TIMEOUT_MILLIS),
                        JsonField.integer("wait", false, 0, 0, 20_000),
                        JsonField.text("consumer_id", false, "c", id -> id.length() <= 128))
                .withExample(Map.of("max_messages", "1"))
                .optionalBody()
                .limitedTo(MAX_REQUEST_BYTES);
        JsonBody ack = JsonBody.of(messageId, receiptField)
                .withExample(receipt)
                .acceptingListsOfIt()
                .limitedTo(MAX_REQUEST_BYTES);
        JsonBody nack = JsonBody.of(
                        messageId, receiptField, JsonField.integer("delay_ms", false, 0, 0, MAX_TIMEOUT_MILLIS))
                .withExample(receipt)
                .limitedTo(MAX_REQUEST_BYTES);
        JsonBody visibility = JsonBody.of(
                        messageId,
                        receiptField,
                        JsonField.integer("visibility_timeout", true, 1_000, 0, MAX_TIMEOUT_MILLIS))
                .limitedTo(MAX_REQUEST_BYTES);
        JsonBody configure = JsonBody.of(
                        JsonField.integer("partitions", false, 4, 1, 1024),
                        JsonField.integer("delivery_limit", false, 9, 0, 1000),
                        JsonField.integer("visibility_timeout", false, 30_000, 0, MAX_TIMEOUT_MILLIS),
                        JsonField.text("dead_letter_queue", false, "fuzz.dlq", VALID_NAME),
                        JsonField.integer("max_length", false, 0, 0, Long.MAX_VALUE),
                        JsonField.integer("retention", false, 0, 0, 365L * 86_400_000),
                        JsonField.integer("dedup_window", false, 0, 0, 86_400_000))
                .withExample(Map.of("delivery_limit", "9"))
                .limitedTo(MAX_REQUEST_BYTES);
        Set<String> queueMethods = Set.of("GET", "PUT", "DELETE");
        Set<String> post = Set.of("POST");
        return List.of(
                new Endpoint("POST", "/queue/%s/enqueue", enqueue, post),
                new Endpoint("POST", "/queue/%s/dequeue", dequeue, post),
                new Endpoint("POST", "/queue/%s/ack", ack, post),
                new Endpoint("POST", "/queue/%s/nack", nack, post),
                new Endpoint("POST", "/queue/%s/visibility", visibility, post),
                new Endpoint("PUT", "/queue/%s", configure, queueMethods),
                new Endpoint("GET", "/queue/%s", null, queueMethods),
                new Endpoint("DELETE", "/queue/%s", null, queueMethods),
                new Endpoint("GET", "/queue", null, Set.of("GET")));
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
    void bad_receipt_lists_are_refused_without_effect(@ForAll("badReceiptLists") BadRequest bad) {
        assertRejectedWithoutEffect(http, bad, this::observe);
    }

    /** Lists of receipts with the real one in them, and one that is bad, or too many, or none. */
    @Provide
    Arbitrary<BadRequest> badReceiptLists() {
        String good = "{\"message_id\": \"%s\", \"receipt\": \"%s\"}".formatted(fixture.messageId(), fixture.receipt());
        Arbitrary<String> badReceipts = Arbitraries.of(
                "{}",
                "{\"message_id\": \"%s\"}".formatted(fixture.messageId()),
                "{\"receipt\": \"%s\"}".formatted(fixture.receipt()),
                "{\"message_id\": \"\", \"receipt\": \"x\"}",
                "{\"message_id\": 1, \"receipt\": \"x\"}",
                "{\"message_id\": \"m\", \"receipt\": \"x\", \"extra\": 1}",
                "null",
                "\"receipt\"",
                "42",
                "[]");
        Arbitrary<String> lists = Arbitraries.oneOf(
                Arbitraries.integers()
                        .between(0, 4)
                        .flatMap(at -> badReceipts.map(bad -> {
                            List<String> items = new ArrayList<>(List.of(good, good, good, good));
                            items.add(at, bad);
                            return "[" + String.join(",", items) + "]";
                        })),
                Arbitraries.just("[]"),
                Arbitraries.integers()
                        .between(101, 150)
                        .map(n -> "[" + String.join(",", Collections.nCopies(n, good)) + "]"));
        return lists.map(list -> new BadRequest(
                "bad receipt list",
                RawRequest.of("POST", "/queue/" + fixture.queue() + "/ack").json(list)));
    }

    @Property
    void hostile_queue_ids_are_refused_without_effect(@ForAll("hostileIds") BadRequest bad) {
        assertRejectedWithoutEffect(http, bad, this::observe);
    }

    @Provide
    Arbitrary<BadRequest> hostileIds() {
        return requests.hostileIds(VALID_NAME);
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
        return requests.brokenHttp(endpoints.getFirst());
    }

    /** A message the service takes: any JSON value but null and "", at most the size limit as compact JSON. */
    private static boolean acceptableMessage(JsonNode message) {
        return !message.isNull()
                && !(message.isString() && message.asString().isEmpty())
                && message.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_MESSAGE_BYTES;
    }

    /** What a request accepted by mistake would change: every queue's counts and settings, and the whole queue state. */
    private List<String> observe() {
        return List.of(
                http.send(RawRequest.of("GET", "/queue")).toString(),
                http.send(RawRequest.of("GET", "/queue/" + fixture.queue())).toString(),
                NODE.stateDigest(ReplicatedQueues.STATE_MACHINE));
    }
}
