package io.sinkron.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many clients acquiring and releasing at once, through the REST API, more of them than the
 * service sends batches at once (two by default), so that concurrent commands are batched: every
 * request still gets its own answer, one holder at a time holds a contended lock, and its fencing
 * tokens only grow. (It shares the application context of the other REST tests: a second context
 * would register a second in-process node under the same name.)
 */
class ConcurrentCyclesTest extends LockServiceTest {

    private static final int OWN_LOCK_CLIENTS = 24;
    private static final int CONTENDERS = 8;
    private static final int CYCLES = 25;

    @Test
    void when_many_clients_cycle_at_once_then_commands_share_entries_and_each_request_gets_its_own_answer()
            throws Exception {
        String prefix = unique("cycles");
        String hot = prefix + "-hot";
        long entriesBefore = node.index();
        int batchesBefore = node.lockBatches();
        var inside = new AtomicInteger();
        var overlaps = new AtomicInteger();
        var hotTokens = new ConcurrentLinkedQueue<Long>();
        var hotGrants = new AtomicInteger();
        var start = new CountDownLatch(1);
        List<Future<List<String>>> clients = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < OWN_LOCK_CLIENTS; c++) {
                String client = prefix + "-own-" + c;
                clients.add(threads.submit(() -> {
                    start.await();
                    List<String> problems = new ArrayList<>();
                    long lastToken = 0;
                    for (int i = 0; i < CYCLES; i++) {
                        Reply granted = acquire(client + "-lock", client, "exclusive", 0);
                        long token = granted.body().path("fencing_token").asLong();
                        if (granted.status() != 200 || token <= lastToken) {
                            problems.add("acquire " + i + ": " + granted.status() + " " + granted.body());
                        }
                        lastToken = token;
                        Reply released = delete("/locks/" + client + "-lock?client_id=" + client);
                        if (released.status() != 200
                                || !released.body().path("released").asBoolean()) {
                            problems.add("release " + i + ": " + released.status() + " " + released.body());
                        }
                    }
                    return problems;
                }));
            }
            for (int c = 0; c < CONTENDERS; c++) {
                String client = prefix + "-contender-" + c;
                clients.add(threads.submit(() -> {
                    start.await();
                    List<String> problems = new ArrayList<>();
                    for (int i = 0; i < CYCLES; i++) {
                        Reply granted = acquire(hot, client, "exclusive", 0);
                        if (granted.status() == 409 && granted.type().endsWith("/lock-timeout")) {
                            continue;
                        }
                        if (granted.status() != 200) {
                            problems.add("acquire " + i + ": " + granted.status() + " " + granted.body());
                            continue;
                        }
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        hotTokens.add(granted.body().path("fencing_token").asLong());
                        hotGrants.incrementAndGet();
                        inside.decrementAndGet();
                        Reply released = delete("/locks/" + hot + "?client_id=" + client);
                        if (released.status() != 200) {
                            problems.add("release " + i + ": " + released.status() + " " + released.body());
                        }
                    }
                    return problems;
                }));
            }
            start.countDown();
            for (Future<List<String>> client : clients) {
                assertThat(client.get(60, TimeUnit.SECONDS)).isEmpty();
            }
        }

        assertThat(overlaps).hasValue(0);
        assertThat(hotGrants.get()).isPositive();
        assertThat(new ArrayList<>(hotTokens)).doesNotHaveDuplicates().isSorted();
        int commands = 2 * OWN_LOCK_CLIENTS * CYCLES + CONTENDERS * CYCLES + hotGrants.get();
        assertThat(node.lockBatches() - batchesBefore).isPositive();
        assertThat(node.index() - entriesBefore).isLessThan(commands);
        assertThat(get("/locks/" + hot).body().path("holders")).isEmpty();
    }
}
