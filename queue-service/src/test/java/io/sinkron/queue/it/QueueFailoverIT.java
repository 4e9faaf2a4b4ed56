package io.sinkron.queue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.testkit.ConsensusCluster;
import io.sinkron.testkit.Http;
import io.sinkron.testkit.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Three real consensus-node processes and two real queue-service processes on 127.0.0.1.
 * Producers enqueue numbered messages through both services (retrying a 503 with the same dedup id,
 * as the docs advise); consumers long-poll, and ack each delivery at once, except every tenth,
 * which they drop as if they had crashed holding it. Meanwhile the Raft
 * leader is killed with SIGKILL twice, each time while messages are in flight; the first victim is
 * restarted on its data before the second kill, so that a majority is always left.
 *
 * <p>Afterwards: every enqueue answered 201 was delivered and acked, each numbered message exists
 * once however often its enqueue was retried, no message was delivered again after its ack was
 * confirmed, no delivery was handed out twice, and the queue ends empty.
 */
class QueueFailoverIT {

    private static final Path CONSENSUS_JAR = Path.of(System.getProperty("sinkron.consensusJar"));
    private static final Path SERVICE_JAR = Path.of(System.getProperty("sinkron.queueServiceJar"));

    private static final String QUEUE = "failover-queue";
    private static final int PRODUCERS = 3;
    private static final int CONSUMERS = 3;
    private static final int MAX_MESSAGES_PER_PRODUCER = 2_000;
    private static final int MAX_DEQUEUES_PER_CONSUMER = 5_000;
    private static final Duration MAX_LOAD = Duration.ofMinutes(3);
    private static final int LEADER_KILLS = 2;
    /** Enqueues and acks that must follow each kill before the next step: the service works again. */
    private static final int PROGRESS_AFTER_KILL = 20;

    private static final int ENQUEUE_TRIES = 10;

    private static final long VISIBILITY_MS = 4_000;
    private static final long POLL_MS = 1_000;
    private static final int BATCH = 10;
    private static final int ABANDON_EVERY = 10;
    /** Past every wait and the service's consensus deadline (5 s), even on a loaded machine. */
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration STARTUP = Duration.ofMinutes(3);

    /**
     * A snapshot every 200 entries, keeping 20: the queues are snapshotted and the log compacted
     * many times during the run, a restarted node loads a snapshot, and one that missed more than
     * the kept entries catches up by InstallSnapshot; so snapshot and restore run in real processes
     * too. Election timeouts of 4 to 8 s (instead of 0.5 to 1 s) leave the cluster without a leader
     * for longer than the services' consensus deadline (5 s), so that enqueues, dequeues and acks
     * fail with unknown outcomes (503) around each kill, and their retries and redeliveries happen.
     */
    private static final Map<String, String> NODE_SETTINGS = Map.of(
            "SNAPSHOT_ENTRIES", "200",
            "SNAPSHOT_KEEP_ENTRIES", "20",
            "RAFT_ELECTION_TIMEOUT_MIN", "4000",
            "RAFT_ELECTION_TIMEOUT_MAX", "8000");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** A message confirmed by 201, named {@code p<producer>-<n>} in its body and its dedup id. */
    record Enqueued(String key, String messageId, int tries) {}

    /** One delivery as a consumer received it. */
    record Delivery(String messageId, String key, String receipt, int count, long requestedNanos) {}

    /** A delivery whose ack the cluster confirmed. */
    record Ack(Delivery delivery, long confirmedNanos) {}

    private final Map<String, Enqueued> enqueued = new ConcurrentHashMap<>();
    private final Set<String> unknownEnqueues = ConcurrentHashMap.newKeySet();
    private final Queue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    private final Queue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger enqueueUnavailable = new AtomicInteger();
    private final AtomicInteger dequeueUnavailable = new AtomicInteger();
    /** Messages whose ack was answered 503: acked or not, nobody knows; if not, they come back. */
    private final Set<String> unconfirmedAckIds = ConcurrentHashMap.newKeySet();

    /**
     * Deliveries whose ack was refused because their lease had ended: 409 stale_receipt, or 404
     * not_found once a later delivery of the message was acked first. Either way that later
     * delivery must exist and be the acked one.
     */
    private final Queue<Delivery> refusedAcks = new ConcurrentLinkedQueue<>();
    /** Counts deliveries to pick every {@link #ABANDON_EVERY}th to drop. */
    private final AtomicInteger dropPicker = new AtomicInteger();

    private final AtomicBoolean stopProducing = new AtomicBoolean();
    private final AtomicBoolean stopConsuming = new AtomicBoolean();

    @Test
    void when_the_leader_is_killed_under_load_then_every_confirmed_message_is_delivered_and_none_after_its_ack()
            throws Exception {
        long started = System.nanoTime();
        try (var cluster = ConsensusCluster.start(CONSENSUS_JAR, dir, 3, NODE_SETTINGS);
                var first = ServiceProcess.start(SERVICE_JAR, dir, "queue-service-1", cluster.clientAddresses());
                var second = ServiceProcess.start(SERVICE_JAR, dir, "queue-service-2", cluster.clientAddresses())) {
            List<ServiceProcess> services = List.of(first, second);
            cluster.awaitLeader(STARTUP);
            first.awaitReady(STARTUP);
            second.awaitReady(STARTUP);
            // No delivery limit: a message redelivered many times around a kill must stay, not move
            // to the dead-letter queue, so that "delivered" is checked on this queue alone.
            Http.Response configured = Http.put(
                    first.uri("/queue/" + QUEUE),
                    Map.of("partitions", 4, "delivery_limit", 0, "visibility_timeout", VISIBILITY_MS),
                    HTTP_TIMEOUT);
            assertThat(configured.status()).as(configured.text()).isEqualTo(200);

            long loadStarted = System.nanoTime();
            long loadDeadline = loadStarted + MAX_LOAD.toNanos();
            List<Long> kills = new ArrayList<>();
            List<Long> inFlightAtKills = new ArrayList<>();
            ExecutorService producers = Executors.newVirtualThreadPerTaskExecutor();
            ExecutorService consumers = Executors.newVirtualThreadPerTaskExecutor();
            try {
                for (int p = 0; p < PRODUCERS; p++) {
                    int producer = p;
                    producers.submit(() -> produce(producer, services, loadDeadline));
                }
                for (int c = 0; c < CONSUMERS; c++) {
                    int consumer = c;
                    consumers.submit(() -> consume(consumer, services, loadDeadline));
                }
                for (int k = 0; k < LEADER_KILLS; k++) {
                    int enqueuedBefore = enqueued.size();
                    int acksBefore = acks.size();
                    // Kill only while consumers hold messages they have not acked yet.
                    long[] inFlight = {0};
                    await("messages in flight")
                            .atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(20))
                            .until(() -> {
                                inFlight[0] = inFlight(first);
                                return inFlight[0] > 0;
                            });
                    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
                    cluster.kill9(leader);
                    kills.add(System.nanoTime());
                    inFlightAtKills.add(inFlight[0]);
                    assertThat(cluster.awaitLeader(Duration.ofSeconds(60))).isNotEqualTo(leader);
                    cluster.restart(leader);
                    cluster.awaitLeader(STARTUP);
                    await("enqueues and acks after leader kill " + (k + 1))
                            .atMost(Duration.ofSeconds(90))
                            .until(() -> enqueued.size() >= enqueuedBefore + PROGRESS_AFTER_KILL
                                    && acks.size() >= acksBefore + PROGRESS_AFTER_KILL);
                }
                stop(producers, stopProducing);
                // Consumers go on until nothing is left: every message acked, also those whose 201
                // was lost, and those whose unconfirmed ack did not take effect (they come back).
                // A queue that never drains is reported with the checks below, which say what is missing.
                try {
                    await("every confirmed message delivered and the queue empty")
                            .atMost(Duration.ofMinutes(2))
                            .pollInterval(Duration.ofMillis(200))
                            .until(() -> enqueued.values().stream().allMatch(e -> delivered.contains(e.messageId()))
                                    && isEmpty(first));
                } catch (ConditionTimeoutException e) {
                    failures.add(e.getMessage());
                }
            } finally {
                stop(producers, stopProducing);
                stop(consumers, stopConsuming);
            }
            long loadEnded = System.nanoTime();
            // Longer than a lease: a message acked but somehow still in flight would come back now.
            Http.Response late = Http.post(
                    second.uri("/queue/" + QUEUE + "/dequeue"),
                    Map.of("max_messages", BATCH, "wait", VISIBILITY_MS + 1_000),
                    HTTP_TIMEOUT);
            report(kills, inFlightAtKills, started, loadStarted, loadEnded);
            List<Long> snapshots = cluster.snapshotIndexes();
            System.out.printf(
                    "consensus: snapshot index per node %s, snapshots installed on running nodes %.0f%n",
                    snapshots, cluster.metricSum("sinkron_raft_snapshots_installed_total"));

            var softly = new SoftAssertions();
            softly.assertThat(late.status()).as(late.text()).isEqualTo(200);
            none(softly, toList(late.body().path("messages")), "deliveries after the queue was drained");
            check(softly);
            softly.assertThat(snapshots).as("snapshot index per node").allMatch(index -> index > 0);
            softly.assertAll();
            Http.Response queue = Http.get(second.uri("/queue/" + QUEUE), HTTP_TIMEOUT);
            assertThat(queue.body().path("depth").asLong()).as(queue.text()).isZero();
            assertThat(queue.body().path("in_flight").asLong()).as(queue.text()).isZero();
            assertThat(queue.body().path("delayed").asLong()).as(queue.text()).isZero();
            assertThat(queue.body().path("dead_letter_depth").asLong())
                    .as(queue.text())
                    .isZero();
        }
    }

    /** Enqueues {@code p<producer>-<n>} in order, each until confirmed or out of tries. */
    private void produce(int producer, List<ServiceProcess> services, long deadline) {
        for (int n = 0; n < MAX_MESSAGES_PER_PRODUCER && !stopProducing.get() && System.nanoTime() < deadline; n++) {
            String key = "p" + producer + "-" + n;
            ServiceProcess service = services.get((producer + n) % services.size());
            try {
                enqueue(key, service);
            } catch (HttpTimeoutException e) {
                failures.add("enqueue of " + key + " got no answer within " + HTTP_TIMEOUT + " from " + service);
            } catch (IOException e) {
                failures.add("enqueue of " + key + ": " + service + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * A 503 leaves the outcome unknown; retrying with the same dedup id is safe (the docs' advice),
     * and the answer to a retry of an applied enqueue names the original message.
     */
    private void enqueue(String key, ServiceProcess service) throws IOException, InterruptedException {
        for (int tries = 1; tries <= ENQUEUE_TRIES; tries++) {
            Http.Response r = Http.post(
                    service.uri("/queue/" + QUEUE + "/enqueue"),
                    Map.of("message", Map.of("key", key), "dedup_id", key),
                    HTTP_TIMEOUT);
            if (r.status() == 201) {
                enqueued.put(key, new Enqueued(key, r.body().path("message_id").asString(), tries));
                return;
            }
            if (r.status() != 503) {
                failures.add("enqueue of " + key + " answered " + r.status() + " " + r.text());
                return;
            }
            enqueueUnavailable.incrementAndGet();
        }
        unknownEnqueues.add(key);
    }

    /** Long-polls and acks everything it receives at once, in one list. */
    private void consume(int consumer, List<ServiceProcess> services, long deadline) {
        for (int i = 0; i < MAX_DEQUEUES_PER_CONSUMER && !stopConsuming.get() && System.nanoTime() < deadline; i++) {
            ServiceProcess service = services.get((consumer + i) % services.size());
            try {
                long requested = System.nanoTime();
                Http.Response r = Http.post(
                        service.uri("/queue/" + QUEUE + "/dequeue"),
                        Map.of(
                                "max_messages",
                                BATCH,
                                "wait",
                                POLL_MS,
                                "visibility_timeout",
                                VISIBILITY_MS,
                                "consumer_id",
                                "consumer-" + consumer),
                        HTTP_TIMEOUT);
                if (r.status() == 503) {
                    dequeueUnavailable.incrementAndGet();
                } else if (r.status() != 200) {
                    failures.add("dequeue answered " + r.status() + " " + r.text());
                } else if (!r.body().path("messages").isEmpty()) {
                    List<Delivery> received = toList(r.body().path("messages")).stream()
                            .map(m -> new Delivery(
                                    m.path("message_id").asString(),
                                    m.path("message").path("key").asString(),
                                    m.path("receipt").asString(),
                                    m.path("delivery_count").asInt(),
                                    requested))
                            .toList();
                    deliveries.addAll(received);
                    received.forEach(d -> delivered.add(d.messageId()));
                    // Some deliveries are dropped unacked, as by a consumer that crashed holding
                    // them: they must come back when their lease ends, kills or not.
                    List<Delivery> toAck = received.stream()
                            .filter(d -> dropPicker.incrementAndGet() % ABANDON_EVERY != 0)
                            .toList();
                    if (!toAck.isEmpty()) {
                        ack(toAck, service);
                    }
                }
            } catch (HttpTimeoutException e) {
                failures.add("consumer-" + consumer + " got no answer within " + HTTP_TIMEOUT + " from " + service);
            } catch (IOException e) {
                failures.add("consumer-" + consumer + ": " + service + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** An unconfirmed ack (503) is not retried: the message comes back after its lease instead. */
    private void ack(List<Delivery> received, ServiceProcess service) throws IOException, InterruptedException {
        Http.Response r = Http.post(
                service.uri("/queue/" + QUEUE + "/ack"),
                received.stream()
                        .map(d -> Map.of("message_id", d.messageId(), "receipt", d.receipt()))
                        .toList(),
                HTTP_TIMEOUT);
        long confirmed = System.nanoTime();
        if (r.status() == 503) {
            received.forEach(d -> unconfirmedAckIds.add(d.messageId()));
            return;
        }
        if (r.status() != 200) {
            failures.add("ack answered " + r.status() + " " + r.text());
            return;
        }
        List<JsonNode> results = toList(r.body().path("results"));
        for (int i = 0; i < received.size(); i++) {
            Delivery d = received.get(i);
            String result = results.get(i).path("result").asString();
            switch (result) {
                case "acked" -> acks.add(new Ack(d, confirmed));
                // Its lease ended (the ack was held up by a failover) and it was delivered again.
                case "stale_receipt", "not_found" -> refusedAcks.add(d);
                default -> failures.add("ack of " + d + " answered " + results.get(i));
            }
        }
    }

    /**
     * The delivery properties, per message: confirmed enqueues were delivered (under the id the 201
     * named) and acked; a key has one message id; no two deliveries share a delivery count; the
     * acked delivery is the last one, and no dequeue sent after the ack was confirmed delivered it;
     * an ack refused as late was overtaken by a later delivery that was acked.
     */
    private void check(SoftAssertions softly) {
        none(softly, List.copyOf(failures), "failures (logs in " + dir + ")");
        Map<String, List<Delivery>> byId = deliveries.stream().collect(Collectors.groupingBy(Delivery::messageId));
        Map<String, List<Ack>> acksById =
                acks.stream().collect(Collectors.groupingBy(a -> a.delivery().messageId()));

        none(
                softly,
                enqueued.values().stream()
                        .filter(e -> !byId.containsKey(e.messageId()))
                        .toList(),
                "confirmed enqueues never delivered");
        none(
                softly,
                enqueued.values().stream()
                        .filter(e -> byId.containsKey(e.messageId())
                                && !byId.get(e.messageId()).getFirst().key().equals(e.key()))
                        .toList(),
                "messages delivered with another body than the 201 named");
        none(
                softly,
                deliveries.stream()
                        .collect(Collectors.groupingBy(
                                Delivery::key, Collectors.mapping(Delivery::messageId, Collectors.toSet())))
                        .entrySet()
                        .stream()
                        .filter(e -> e.getValue().size() > 1)
                        .toList(),
                "keys enqueued as more than one message despite the dedup id");
        none(
                softly,
                byId.keySet().stream()
                        .filter(id -> !acksById.containsKey(id) && !unconfirmedAckIds.contains(id))
                        .toList(),
                "delivered messages left without an ack");
        none(
                softly,
                acksById.entrySet().stream()
                        .filter(e -> e.getValue().size() > 1)
                        .toList(),
                "messages acked more than once");

        var twice = new ArrayList<String>();
        var afterAck = new ArrayList<String>();
        byId.forEach((id, ds) -> {
            if (ds.stream().map(Delivery::count).distinct().count() < ds.size()) {
                twice.add(id + ": " + ds);
            }
            List<Ack> acked = acksById.getOrDefault(id, List.of());
            if (!acked.isEmpty()) {
                Ack ack = acked.getFirst();
                ds.stream()
                        .filter(d -> d.count() > ack.delivery().count() || d.requestedNanos() > ack.confirmedNanos())
                        .forEach(d -> afterAck.add(d + " after " + ack));
            }
        });
        none(
                softly,
                refusedAcks.stream()
                        .filter(d -> acksById.getOrDefault(d.messageId(), List.of()).stream()
                                .noneMatch(a -> a.delivery().count() > d.count()))
                        .toList(),
                "acks refused (stale_receipt, not_found) without a later delivery of the message being acked");
        none(softly, twice, "deliveries handed out twice (same message, same delivery count)");
        none(softly, afterAck, "deliveries after a confirmed ack");
    }

    private void report(List<Long> kills, List<Long> inFlightAtKills, long started, long loadStarted, long loadEnded) {
        List<Delivery> all = List.copyOf(deliveries);
        System.out.printf(
                "queue failover: %d leader kills (in flight at each: %s); %d enqueues confirmed (%d after a retry),"
                        + " %d unknown after %d tries, %d enqueue 503s; %d deliveries of %d messages (%d redeliveries,"
                        + " most deliveries of one message %d), %d dropped unacked, %d acks confirmed, %d refused as late,"
                        + " %d messages with an unconfirmed ack;"
                        + " %d dequeue 503s; startup %d s, load and drain %d s%n",
                kills.size(),
                inFlightAtKills,
                enqueued.size(),
                enqueued.values().stream().filter(e -> e.tries() > 1).count(),
                unknownEnqueues.size(),
                ENQUEUE_TRIES,
                enqueueUnavailable.get(),
                all.size(),
                all.stream().map(Delivery::messageId).distinct().count(),
                all.stream().filter(d -> d.count() > 1).count(),
                all.stream().mapToInt(Delivery::count).max().orElse(0),
                dropPicker.get() / ABANDON_EVERY,
                acks.size(),
                refusedAcks.size(),
                unconfirmedAckIds.size(),
                dequeueUnavailable.get(),
                Duration.ofNanos(loadStarted - started).toSeconds(),
                Duration.ofNanos(loadEnded - loadStarted).toSeconds());
    }

    /**
     * Stops a group of load threads; every one ends its current request within its bounds. One
     * that does not is a failure, and is interrupted so that the processes can be killed.
     */
    private void stop(ExecutorService workers, AtomicBoolean flag) throws InterruptedException {
        flag.set(true);
        workers.shutdown();
        if (!workers.awaitTermination(HTTP_TIMEOUT.multipliedBy(2).toSeconds(), TimeUnit.SECONDS)) {
            failures.add("load threads still running " + HTTP_TIMEOUT.multipliedBy(2) + " after they were stopped");
            workers.shutdownNow();
        }
    }

    private static long inFlight(ServiceProcess service) throws InterruptedException {
        try {
            Http.Response r = Http.get(service.uri("/queue/" + QUEUE), Duration.ofSeconds(5));
            return r.status() == 200 ? r.body().path("in_flight").asLong() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static boolean isEmpty(ServiceProcess service) throws InterruptedException {
        try {
            Http.Response r = Http.get(service.uri("/queue/" + QUEUE), Duration.ofSeconds(5));
            JsonNode q = r.body();
            return r.status() == 200
                    && q.path("depth").asLong() == 0
                    && q.path("in_flight").asLong() == 0
                    && q.path("delayed").asLong() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<JsonNode> toList(JsonNode array) {
        var list = new ArrayList<JsonNode>();
        array.forEach(list::add);
        return list;
    }

    /** Fails with the count and the first few if {@code violations} is not empty. */
    private static void none(SoftAssertions softly, List<?> violations, String what) {
        softly.assertThat(violations.size())
                .as("%s: %s", what, violations.stream().limit(10).toList())
                .isZero();
    }
}
