package io.sinkron.faults;

import static org.awaitility.Awaitility.await;

import io.sinkron.testkit.Http;
import io.sinkron.testkit.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * Producers enqueue numbered messages through queue-service (each with a dedup id, a 503 retried
 * with it); one in ten is a "poison" message that consumers always nack. Consumers long-poll, ack
 * the others at once and now and then abandon a delivery unacked, as a crashed consumer would. The
 * queue has a delivery limit of {@value #DELIVERY_LIMIT}; after the run the queue and its
 * dead-letter queue are drained.
 *
 * <p>Checks: every enqueue answered 201 was delivered at least once (from the queue or the
 * dead-letter queue); no dequeue sent after an ack of a message was confirmed delivered that
 * message again (from either queue); no delivery count exceeded the limit; a message reached the
 * dead-letter queue only after {@value #DELIVERY_LIMIT} deliveries (all of them seen, unless some
 * dequeue's outcome was unknown, in which case the ones seen must not exceed the limit); the queue
 * ends empty.
 */
final class QueueWorkload implements Workload {

    static final int DELIVERY_LIMIT = 3;
    private static final int PRODUCERS = 2;
    private static final int CONSUMERS = 3;
    private static final int MAX_ENQUEUES_PER_PRODUCER = 20_000;
    private static final int MAX_DEQUEUES_PER_CONSUMER = 20_000;
    private static final int ENQUEUE_TRIES = 5;
    private static final long VISIBILITY_MS = 3_000;
    private static final long POLL_MS = 1_000;
    private static final int BATCH = 10;
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(40);

    /** One delivery: which message, of which queue, under which receipt, when its dequeue was sent. */
    record Delivery(
            String queue, String messageId, String key, boolean poison, String receipt, int count, long dequeueSent) {}

    private final ServiceProcess service;
    private final History history;
    private final String queue;
    private final String deadLetters;
    private final Random seeds;

    private final Map<String, String> enqueuedIds = new ConcurrentHashMap<>();
    private final Queue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    /** Message id to when its ack was first confirmed. */
    private final Map<String, Long> ackConfirmed = new ConcurrentHashMap<>();

    private final AtomicInteger unknownDequeues = new AtomicInteger();
    private final AtomicInteger unknownEnqueues = new AtomicInteger();
    /** Requests not sent because the connection could not be opened in time (see {@link Requests}). */
    private final AtomicInteger notSent = new AtomicInteger();

    private final Queue<String> anomalies = new ConcurrentLinkedQueue<>();
    private final List<String> finalAnomalies = new ArrayList<>();

    QueueWorkload(ServiceProcess service, History history, String queue, long seed) {
        this.service = service;
        this.history = history;
        this.queue = queue;
        this.deadLetters = queue + ".dlq";
        this.seeds = new Random(seed);
    }

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public int clients() {
        return PRODUCERS + CONSUMERS;
    }

    @Override
    public void setUp() {
        await("queue " + queue + " configured")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> Http.put(
                                        service.uri("/queue/" + queue),
                                        Map.of(
                                                "partitions",
                                                4,
                                                "delivery_limit",
                                                DELIVERY_LIMIT,
                                                "visibility_timeout",
                                                VISIBILITY_MS),
                                        HTTP_TIMEOUT)
                                .status()
                        == 200);
    }

    @Override
    public void runClient(int client, long deadlineNanos, BooleanSupplier stop) {
        Random random;
        synchronized (seeds) {
            random = new Random(seeds.nextLong());
        }
        if (client < PRODUCERS) {
            produce(client, random, deadlineNanos, stop);
        } else {
            consume(client, queue, random, deadlineNanos, stop);
        }
    }

    private void produce(int producer, Random random, long deadlineNanos, BooleanSupplier stop) {
        for (int n = 0;
                n < MAX_ENQUEUES_PER_PRODUCER && !stop.getAsBoolean() && System.nanoTime() < deadlineNanos;
                n++) {
            String key = "m-" + producer + "-" + n;
            boolean poison = random.nextInt(10) == 0;
            History.Op op = history.invoke("producer-" + producer, "queue", "enqueue", queue, key);
            try {
                String outcome = enqueue(key, poison);
                if (outcome.startsWith("201 ")) {
                    String id = outcome.substring(4);
                    enqueuedIds.put(key, id);
                    op.ok(id);
                } else if (outcome.startsWith("503")) {
                    unknownEnqueues.incrementAndGet();
                    op.info(outcome);
                } else {
                    op.fail(outcome);
                    anomalies.add("enqueue of " + key + " answered " + outcome);
                }
            } catch (HttpTimeoutException e) {
                unknownEnqueues.incrementAndGet();
                op.info("timeout");
                anomalies.add("enqueue of " + key + " not answered within " + HTTP_TIMEOUT);
            } catch (IOException e) {
                op.info(e.toString());
                anomalies.add("enqueue of " + key + ": queue-service failed: " + e);
            } catch (InterruptedException e) {
                op.info("interrupted");
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Retries a 503 with the same dedup id, which is safe: a retry of an applied enqueue names the original. */
    private String enqueue(String key, boolean poison) throws IOException, InterruptedException {
        String last = "";
        for (int tries = 0; tries < ENQUEUE_TRIES; tries++) {
            Http.Response r;
            try {
                r = Http.post(
                        service.uri("/queue/" + queue + "/enqueue"),
                        Map.of("message", Map.of("key", key, "poison", poison), "dedup_id", key),
                        HTTP_TIMEOUT);
            } catch (HttpConnectTimeoutException e) {
                // Not sent (see Requests); retried like a 503, and unknown if it was the last try.
                notSent.incrementAndGet();
                last = "503 not sent";
                continue;
            }
            if (r.status() == 201) {
                return "201 " + r.body().path("message_id").asString();
            }
            last = r.status() + " " + r.problem();
            if (r.status() != 503) {
                return last + " " + r.text();
            }
        }
        return last;
    }

    private void consume(int consumer, String from, Random random, long deadlineNanos, BooleanSupplier stop) {
        for (int i = 0;
                i < MAX_DEQUEUES_PER_CONSUMER && !stop.getAsBoolean() && System.nanoTime() < deadlineNanos;
                i++) {
            try {
                List<Delivery> received = dequeue("consumer-" + consumer, from);
                for (Delivery d : received) {
                    if (d.poison() && from.equals(queue)) {
                        nack("consumer-" + consumer, d);
                    } else if (random.nextInt(20) != 0 || !from.equals(queue)) {
                        ack("consumer-" + consumer, d);
                    }
                    // Otherwise abandoned: it must come back when its lease ends.
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private List<Delivery> dequeue(String process, String from) throws InterruptedException {
        History.Op op = history.invoke(process, "queue", "dequeue", from, null);
        long sent = op.invokeNanos();
        try {
            Http.Response r = Http.post(
                    service.uri("/queue/" + from + "/dequeue"),
                    Map.of("max_messages", BATCH, "wait", POLL_MS, "consumer_id", process),
                    HTTP_TIMEOUT);
            if (r.status() == 503) {
                unknownDequeues.incrementAndGet();
                op.info("503");
                return List.of();
            }
            if (r.status() != 200) {
                op.fail(r.status() + " " + r.problem());
                anomalies.add("dequeue answered " + r.status() + " " + r.text());
                return List.of();
            }
            var received = new ArrayList<Delivery>();
            for (JsonNode m : r.body().path("messages")) {
                received.add(new Delivery(
                        from,
                        m.path("message_id").asString(),
                        m.path("message").path("key").asString(),
                        m.path("message").path("poison").asBoolean(),
                        m.path("receipt").asString(),
                        m.path("delivery_count").asInt(),
                        sent));
            }
            deliveries.addAll(received);
            op.ok(received.stream().map(Delivery::messageId).collect(Collectors.joining(",")));
            return received;
        } catch (HttpConnectTimeoutException e) {
            notSent.incrementAndGet();
            op.fail("not sent: " + e.getMessage());
        } catch (HttpTimeoutException e) {
            unknownDequeues.incrementAndGet();
            op.info("timeout");
            anomalies.add("dequeue not answered within " + HTTP_TIMEOUT);
        } catch (IOException e) {
            unknownDequeues.incrementAndGet();
            op.info(e.toString());
            anomalies.add("dequeue: queue-service failed: " + e);
        }
        return List.of();
    }

    /** An unconfirmed ack (503) is not retried: the message comes back after its lease instead. */
    private void ack(String process, Delivery d) throws InterruptedException {
        History.Op op = history.invoke(process, "queue", "ack", d.queue(), d.messageId());
        try {
            Http.Response r = Http.post(
                    service.uri("/queue/" + d.queue() + "/ack"),
                    Map.of("message_id", d.messageId(), "receipt", d.receipt()),
                    HTTP_TIMEOUT);
            if (r.status() == 200) {
                long confirmed = op.ok("acked");
                ackConfirmed.merge(d.messageId() + "@" + d.queue(), confirmed, Math::min);
            } else if (r.status() == 503) {
                op.info("503");
            } else if (r.status() == 409 || r.status() == 404) {
                // Its lease ended (held up by a fault) and it was delivered again, or acked by then.
                op.fail(r.status() + " " + r.problem());
            } else {
                op.fail(r.status() + " " + r.problem());
                anomalies.add("ack of " + d + " answered " + r.status() + " " + r.text());
            }
        } catch (IOException e) {
            op.info(e.toString());
        }
    }

    private void nack(String process, Delivery d) throws InterruptedException {
        History.Op op = history.invoke(process, "queue", "nack", d.queue(), d.messageId());
        try {
            Http.Response r = Http.post(
                    service.uri("/queue/" + d.queue() + "/nack"),
                    Map.of("message_id", d.messageId(), "receipt", d.receipt()),
                    HTTP_TIMEOUT);
            if (r.status() == 200) {
                op.ok("nacked");
            } else if (r.status() == 503) {
                op.info("503");
            } else {
                op.fail(r.status() + " " + r.problem());
            }
        } catch (IOException e) {
            op.info(e.toString());
        }
    }

    /**
     * Drains the queue (poison messages are nacked until they are dead-lettered, abandoned ones come
     * back after their lease), then the dead-letter queue; bounded in time.
     */
    @Override
    public void finish() throws Exception {
        drain(queue, Duration.ofSeconds(120));
        drain(deadLetters, Duration.ofSeconds(60));
    }

    private void drain(String from, Duration timeout) {
        var random = new Random(0);
        long drainDeadline = System.nanoTime() + timeout.toNanos();
        try {
            await("queue " + from + " drained")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        consume(
                                0,
                                from,
                                random,
                                Math.min(drainDeadline, System.nanoTime() + 3_000_000_000L),
                                () -> false);
                        Http.Response r = Http.get(service.uri("/queue/" + from), Duration.ofSeconds(10));
                        JsonNode q = r.body();
                        return r.status() == 404
                                || (r.status() == 200
                                        && q.path("depth").asLong() == 0
                                        && q.path("in_flight").asLong() == 0
                                        && q.path("delayed").asLong() == 0);
                    });
        } catch (ConditionTimeoutException e) {
            finalAnomalies.add("queue " + from + " not drained within " + timeout);
        }
    }

    @Override
    public List<String> check() {
        var found = new ArrayList<>(anomalies);
        found.addAll(finalAnomalies);
        found.addAll(checkDeliveries(
                queue,
                Map.copyOf(enqueuedIds),
                List.copyOf(deliveries),
                Map.copyOf(ackConfirmed),
                unknownDequeues.get()));
        return found;
    }

    /**
     * The delivery properties: every acknowledged enqueue delivered; nothing delivered by a dequeue
     * sent after its ack was confirmed; no delivery beyond the limit; dead-lettered only after the
     * limit.
     *
     * @param enqueued message id by key, of every enqueue answered 201
     * @param ackConfirmed when an ack was first confirmed, by {@code <message id>@<queue>}
     * @param unknownDequeues how many dequeues ended with an unknown outcome
     */
    static List<String> checkDeliveries(
            String queue,
            Map<String, String> enqueued,
            List<Delivery> deliveries,
            Map<String, Long> ackConfirmed,
            int unknownDequeues) {
        var found = new ArrayList<String>();
        String deadLetters = queue + ".dlq";
        Map<String, List<Delivery>> byId = deliveries.stream().collect(Collectors.groupingBy(Delivery::messageId));
        enqueued.forEach((key, id) -> {
            if (!byId.containsKey(id)) {
                found.add("enqueue of " + key + " was answered 201 (" + id + ") but the message was never delivered");
            }
        });
        for (var entry : byId.entrySet()) {
            String id = entry.getKey();
            List<Delivery> all = entry.getValue();
            List<Delivery> main =
                    all.stream().filter(d -> d.queue().equals(queue)).toList();
            List<Delivery> dead =
                    all.stream().filter(d -> d.queue().equals(deadLetters)).toList();
            Long acked = ackConfirmed.get(id + "@" + queue);
            if (acked != null) {
                for (Delivery d : all) {
                    if (d.dequeueSent() > acked) {
                        found.add("message " + id + " delivered by a dequeue sent after its ack was confirmed: " + d);
                    }
                }
            }
            for (Delivery d : main) {
                if (d.count() > DELIVERY_LIMIT) {
                    found.add("message " + id + " delivered beyond the limit of " + DELIVERY_LIMIT + ": " + d);
                }
            }
            if (!dead.isEmpty()) {
                int seen = main.stream().mapToInt(Delivery::count).max().orElse(0);
                if (seen > DELIVERY_LIMIT || (unknownDequeues == 0 && seen != DELIVERY_LIMIT)) {
                    found.add("message " + id + " dead-lettered after deliveries numbered up to " + seen + " (limit "
                            + DELIVERY_LIMIT + ")");
                }
            }
        }
        return found;
    }

    @Override
    public String summary() {
        long dead = deliveries.stream()
                .filter(d -> d.queue().equals(deadLetters))
                .map(Delivery::messageId)
                .distinct()
                .count();
        return String.format(
                "%d enqueues acknowledged (%d with unknown outcome), %d deliveries, %d acks confirmed, %d messages dead-lettered, %d dequeues with unknown outcome, %d requests not sent (connect timed out)",
                enqueuedIds.size(),
                unknownEnqueues.get(),
                deliveries.size(),
                ackConfirmed.size(),
                dead,
                unknownDequeues.get(),
                notSent.get());
    }
}
