package io.sinkron.lock.it;

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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real consensus-node processes and two real lock-service processes on 127.0.0.1 (one with
 * the default consensus deadline, one with a deadline shorter than a failover). Clients
 * contend for one exclusive lock through both services; each grant guards a write to a register
 * that refuses fencing tokens lower than the highest it has accepted. Meanwhile the Raft leader is
 * killed with SIGKILL twice, each time while the lock is held and waited for; the first victim is
 * restarted on its data before the second kill, so that a majority is always left.
 *
 * <p>Afterwards: no two clients held the lock at overlapping times, tokens grew with every grant,
 * the register refused nothing, every acquire was answered (granted, timed out, or 503) within its
 * bound, and no waiter or hold was left behind in the cluster or in either service.
 */
class LockFailoverIT {

    private static final Path CONSENSUS_JAR = Path.of(System.getProperty("sinkron.consensusJar"));
    private static final Path SERVICE_JAR = Path.of(System.getProperty("sinkron.lockServiceJar"));

    private static final String LOCK = "failover-lock";
    private static final int CLIENTS = 8;
    private static final int MAX_ATTEMPTS_PER_CLIENT = 2_000;
    private static final Duration MAX_LOAD = Duration.ofMinutes(3);
    private static final int LEADER_KILLS = 2;
    /** Grants that must follow each kill before the next step: the service works again. */
    private static final int GRANTS_AFTER_KILL = 20;

    private static final long WAIT_MS = 1_000;
    private static final long TTL_MS = 15_000;
    private static final long TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(TTL_MS);
    /** The consensus deadline of the second service; the first keeps the default, 5 s. */
    private static final Duration SHORT_DEADLINE = Duration.ofMillis(1_000);
    /**
     * The latest an acquire may be answered: its wait, the service's grace (500 ms), then the acquire
     * and the cancel command, each within the service's consensus deadline (5 s at most), plus 3 s for a
     * loaded machine. Anything slower is a waiter left hanging.
     */
    private static final Duration ANSWER_BOUND = Duration.ofMillis(WAIT_MS + 500 + 2 * 5_000 + 3_000);
    /** An HTTP request outliving this is recorded as hung rather than waited for forever. */
    private static final Duration HTTP_TIMEOUT = ANSWER_BOUND.plusSeconds(30);

    private static final int RELEASE_TRIES = 10;
    private static final Duration STARTUP = Duration.ofMinutes(3);

    /**
     * A snapshot every 200 entries, keeping 20: the lock table is snapshotted and the log compacted
     * many times during the run, a restarted node loads a snapshot, and one that missed more than the
     * kept entries catches up by InstallSnapshot; so snapshot and restore run in real processes too.
     * Election timeouts of 1.5 to 3 s (instead of 0.5 to 1 s) leave the cluster without a leader
     * for longer than a wait's timeout and the second service's deadline, so that waits end and
     * commands fail while there is none.
     */
    private static final Map<String, String> NODE_SETTINGS = Map.of(
            "SNAPSHOT_ENTRIES", "200",
            "SNAPSHOT_KEEP_ENTRIES", "20",
            "RAFT_ELECTION_TIMEOUT_MIN", "1500",
            "RAFT_ELECTION_TIMEOUT_MAX", "3000");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** One acquire request and how it was answered. */
    record Attempt(String owner, long sentNanos, long answeredNanos, int status, String problem) {
        Duration latency() {
            return Duration.ofNanos(answeredNanos - sentNanos);
        }
    }

    /**
     * One grant as its client saw it: held from the moment the grant was answered until the client
     * sent its release. The lease cannot have ended before {@code requestedNanos + TTL}, since the
     * grant was made after the request was sent.
     */
    record Hold(
            String owner, long token, long requestedNanos, long grantedNanos, long releasingNanos, String released) {
        boolean leaseSurely(long ttlNanos) {
            return releasingNanos - requestedNanos < ttlNanos;
        }
    }

    /** The protected resource: accepts a write only with a token at least the highest accepted. */
    static final class FencedRegister {
        private long highest;
        private int accepted;
        private final List<String> refused = new ArrayList<>();

        synchronized void write(String owner, long token) {
            if (token < highest) {
                refused.add(owner + " wrote with token " + token + " after token " + highest);
                return;
            }
            highest = token;
            accepted++;
        }

        synchronized int accepted() {
            return accepted;
        }

        synchronized List<String> refused() {
            return List.copyOf(refused);
        }
    }

    private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final Queue<Hold> holds = new ConcurrentLinkedQueue<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger validations = new AtomicInteger();
    private final AtomicInteger grants = new AtomicInteger();
    private final FencedRegister register = new FencedRegister();
    private final AtomicBoolean stop = new AtomicBoolean();

    @Test
    void when_the_leader_is_killed_while_clients_hold_and_wait_then_no_grant_overlaps_and_no_waiter_is_lost()
            throws Exception {
        long started = System.nanoTime();
        try (var cluster = ConsensusCluster.start(CONSENSUS_JAR, dir, 3, NODE_SETTINGS);
                var first = ServiceProcess.start(SERVICE_JAR, dir, "lock-service-1", cluster.clientAddresses());
                // The second gives up on the cluster sooner than a failover takes, so that acquires
                // and releases with unknown outcomes (503) happen, and their clean-up is exercised.
                var second = ServiceProcess.start(
                        SERVICE_JAR,
                        dir,
                        "lock-service-2",
                        cluster.clientAddresses(),
                        Map.of("CONSENSUS_DEADLINE", SHORT_DEADLINE.toMillis() + "ms"))) {
            List<ServiceProcess> services = List.of(first, second);
            cluster.awaitLeader(STARTUP);
            first.awaitReady(STARTUP);
            second.awaitReady(STARTUP);

            long loadStarted = System.nanoTime();
            long loadDeadline = loadStarted + MAX_LOAD.toNanos();
            List<Long> kills = new ArrayList<>();
            ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
            try {
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.submit(() -> runClient(client, services, loadDeadline));
                }
                for (int k = 0; k < LEADER_KILLS; k++) {
                    int grantsBefore = grants.get();
                    // Kill only while one client holds the lock and others wait for it.
                    await("the lock held and waited for")
                            .atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(20))
                            .until(() -> heldAndWaitedFor(services.get(0)));
                    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
                    cluster.kill9(leader);
                    kills.add(System.nanoTime());
                    assertThat(cluster.awaitLeader(Duration.ofSeconds(60))).isNotEqualTo(leader);
                    cluster.restart(leader);
                    cluster.awaitLeader(STARTUP);
                    await("grants after leader kill " + (k + 1))
                            .atMost(Duration.ofSeconds(90))
                            .until(() -> grants.get() >= grantsBefore + GRANTS_AFTER_KILL);
                }
            } finally {
                stopClients(clients);
            }

            long loadEnded = System.nanoTime();
            report(kills, started, loadStarted, loadEnded);
            List<Long> snapshots = cluster.snapshotIndexes();
            System.out.printf(
                    "consensus: snapshot index per node %s, snapshots installed on running nodes %.0f%n",
                    snapshots, cluster.metricSum("sinkron_raft_snapshots_installed_total"));

            // Every violated property is reported, not only the first.
            var softly = new SoftAssertions();
            checkAnswers(softly);
            softly.assertThat(snapshots).as("snapshot index per node").allMatch(index -> index > 0);
            long maxToken = checkGrants(softly);
            softly.assertAll();
            checkNothingLingers(services, maxToken);
        }
    }

    /** The figures, into the test's output file; printed before the checks so that a failure has them too. */
    private void report(List<Long> kills, long started, long loadStarted, long loadEnded) {
        List<Hold> all = List.copyOf(holds);
        System.out.printf(
                "lock failover: %d leader kills; %d acquire attempts (%d granted, %d timed out, %d unavailable),"
                        + " %d of them waiting when the leader died, slowest answer %d ms (bound %d ms);"
                        + " %d grants checked for overlap and token order (%d held across a kill);"
                        + " %d register writes, %d tokens validated; startup %d s, load %d s%n",
                kills.size(),
                attempts.size(),
                count(200, ""),
                count(409, "lock-timeout"),
                count(503, "unavailable"),
                attempts.stream()
                        .filter(a -> kills.stream().anyMatch(t -> a.sentNanos() < t && t < a.answeredNanos()))
                        .count(),
                attempts.stream()
                        .map(Attempt::latency)
                        .max(Comparator.naturalOrder())
                        .orElse(Duration.ZERO)
                        .toMillis(),
                ANSWER_BOUND.toMillis(),
                all.size(),
                all.stream()
                        .filter(h -> kills.stream().anyMatch(t -> h.requestedNanos() < t && t < h.releasingNanos()))
                        .count(),
                register.accepted(),
                validations.get(),
                Duration.ofNanos(loadStarted - started).toSeconds(),
                Duration.ofNanos(loadEnded - loadStarted).toSeconds());
    }

    /**
     * Every client ends its current attempt within its bounds, then its release; one that does not
     * is a failure, and is interrupted so that the processes can be killed.
     */
    private void stopClients(ExecutorService clients) throws InterruptedException {
        stop.set(true);
        clients.shutdown();
        if (!clients.awaitTermination(HTTP_TIMEOUT.multipliedBy(2).toSeconds(), TimeUnit.SECONDS)) {
            failures.add("clients still running " + HTTP_TIMEOUT.multipliedBy(2) + " after the load stopped");
            clients.shutdownNow();
        }
    }

    /** Acquire, validate the token, write the register, release: bounded in count and in time. */
    private void runClient(int client, List<ServiceProcess> services, long deadline) {
        for (int n = 0; n < MAX_ATTEMPTS_PER_CLIENT && !stop.get() && System.nanoTime() < deadline; n++) {
            // A new owner for every attempt: an unknown outcome then never turns into a reentrant hold.
            String owner = "client-" + client + "-" + n;
            ServiceProcess service = services.get((client + n) % services.size());
            ServiceProcess other = services.get((client + n + 1) % services.size());
            try {
                long sent = System.nanoTime();
                Http.Response r = Http.post(
                        service.uri("/locks/" + LOCK),
                        Map.of("lock_type", "exclusive", "timeout", WAIT_MS, "client_id", owner, "ttl", TTL_MS),
                        HTTP_TIMEOUT);
                long answered = System.nanoTime();
                attempts.add(new Attempt(owner, sent, answered, r.status(), r.problem()));
                if (r.status() == 200) {
                    grants.incrementAndGet();
                    hold(owner, r.body().path("fencing_token").asLong(), sent, answered, service, other);
                }
            } catch (HttpTimeoutException e) {
                failures.add(owner + " got no answer within " + HTTP_TIMEOUT + " from " + service);
            } catch (IOException e) {
                failures.add(owner + ": " + service + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void hold(String owner, long token, long sent, long granted, ServiceProcess service, ServiceProcess other)
            throws IOException, InterruptedException {
        // The check a protected resource makes before it trusts a token (Chubby's sequencer), asked
        // of the other instance so that it also sees grants it did not make.
        Http.Response v =
                Http.post(other.uri("/locks/" + LOCK + "/validate"), Map.of("fencing_token", token), HTTP_TIMEOUT);
        if (v.status() == 200) {
            validations.incrementAndGet();
            if (!v.body().path("valid").asBoolean()) {
                failures.add(owner + " holds token " + token + " but " + other + " calls it invalid");
            }
        } else if (v.status() != 503) {
            failures.add("validate of token " + token + " answered " + v.status() + " " + v.text());
        }
        register.write(owner, token);
        long releasing = System.nanoTime();
        var hold = new Hold(owner, token, sent, granted, releasing, release(owner, service));
        if (hold.released().startsWith("409 lease-expired") && hold.leaseSurely(TTL_NANOS)) {
            failures.add(hold + ": the lease ended before its ttl");
        }
        holds.add(hold);
    }

    /**
     * Releases until the cluster confirms (200), or a retry finds the hold already gone (409
     * not-owner: the earlier attempt that answered 503 was applied after all).
     */
    private String release(String owner, ServiceProcess service) throws IOException, InterruptedException {
        String last = "";
        for (int i = 0; i < RELEASE_TRIES; i++) {
            Http.Response r = Http.delete(service.uri("/locks/" + LOCK + "?client_id=" + owner), HTTP_TIMEOUT);
            if (r.status() == 200) {
                return "released";
            }
            last = r.status() + " " + r.problem();
            if (r.status() == 409 && i > 0 && r.problem().equals("not-owner")) {
                return "released by an earlier try";
            }
            if (r.status() != 503 && !(r.status() == 409 && r.problem().equals("lease-expired"))) {
                failures.add(owner + " release answered " + r.status() + " " + r.text());
            }
            if (r.status() != 503) {
                return last;
            }
        }
        // The lease ends the hold (in TTL_MS); the grants that follow it are still checked.
        return "unconfirmed after " + RELEASE_TRIES + " tries: " + last;
    }

    private boolean heldAndWaitedFor(ServiceProcess service) throws InterruptedException {
        try {
            Http.Response r = Http.get(service.uri("/locks/" + LOCK), Duration.ofSeconds(5));
            return r.status() == 200
                    && !r.body().path("holders").isEmpty()
                    && !r.body().path("waiters").isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private void checkAnswers(SoftAssertions softly) {
        none(softly, List.copyOf(failures), "failures (logs in " + dir + ")");
        none(
                softly,
                attempts.stream()
                        .filter(a -> !(a.status() == 200
                                || (a.status() == 409 && a.problem().equals("lock-timeout"))
                                || (a.status() == 503 && a.problem().equals("unavailable"))))
                        .toList(),
                "acquires answered other than granted, lock-timeout or unavailable");
        none(
                softly,
                attempts.stream()
                        .filter(a -> a.latency().compareTo(ANSWER_BOUND) > 0)
                        .toList(),
                "acquires answered later than " + ANSWER_BOUND);
    }

    /**
     * Orders the grants by the time they were answered: tokens must grow strictly in that order, and
     * each hold must have ended (its release sent) before the next was answered, unless its lease
     * may have run out. Returns the highest token.
     */
    private long checkGrants(SoftAssertions softly) {
        List<Hold> byGrant = holds.stream()
                .sorted(Comparator.comparingLong(Hold::grantedNanos))
                .toList();
        softly.assertThat(byGrant).as("grants").hasSizeGreaterThanOrEqualTo(LEADER_KILLS * GRANTS_AFTER_KILL);
        var overlaps = new ArrayList<String>();
        var tokenOrder = new ArrayList<String>();
        Hold latestEnding = null;
        Hold previous = null;
        for (Hold h : byGrant) {
            if (previous != null && h.token() <= previous.token()) {
                tokenOrder.add(previous + " then " + h);
            }
            if (latestEnding != null && h.grantedNanos() < latestEnding.releasingNanos()) {
                overlaps.add(latestEnding + " overlaps " + h);
            }
            if (h.leaseSurely(TTL_NANOS)
                    && (latestEnding == null || h.releasingNanos() > latestEnding.releasingNanos())) {
                latestEnding = h;
            }
            previous = h;
        }
        none(softly, overlaps, "holds that overlapped in time");
        none(softly, tokenOrder, "fencing tokens that did not grow from one grant to the next");
        none(softly, register.refused(), "register writes refused as stale");
        softly.assertThat(register.accepted()).as("register writes").isEqualTo(byGrant.size());
        return byGrant.isEmpty() ? 0 : byGrant.getLast().token();
    }

    /** Fails with the count and the first few if {@code violations} is not empty. */
    private static void none(SoftAssertions softly, List<?> violations, String what) {
        softly.assertThat(violations.size())
                .as("%s: %s", what, violations.stream().limit(10).toList())
                .isZero();
    }

    /**
     * No waiter and no hold is left in the cluster, and neither service still tracks a waiting
     * request. Holds whose release stayed unconfirmed end with their lease, hence the wait. A new
     * client then gets the lock at once, with a token above every earlier one.
     */
    private void checkNothingLingers(List<ServiceProcess> services, long maxToken) throws Exception {
        for (ServiceProcess service : services) {
            await("no holder or waiter left, seen through " + service)
                    .atMost(Duration.ofMillis(TTL_MS).plusSeconds(30))
                    .untilAsserted(() -> {
                        Http.Response r = Http.get(service.uri("/locks/" + LOCK), Duration.ofSeconds(10));
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.body().path("holders").size()).as(r.text()).isZero();
                        assertThat(r.body().path("waiters").size()).as(r.text()).isZero();
                    });
            await("no waiting request left in " + service)
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> assertThat(Http.get(service.uri("/actuator/prometheus"), Duration.ofSeconds(10))
                                            .text())
                                    .containsPattern("(?m)^sinkron_lock_waiting_requests(\\{[^}]*})? 0\\.0$"));
        }
        Http.Response last = Http.post(
                services.get(0).uri("/locks/" + LOCK),
                Map.of("lock_type", "exclusive", "client_id", "last-client"),
                Duration.ofSeconds(30));
        assertThat(last.status()).as(last.text()).isEqualTo(200);
        assertThat(last.body().path("fencing_token").asLong()).isGreaterThan(maxToken);
        assertThat(Http.delete(services.get(1).uri("/locks/" + LOCK + "?client_id=last-client"), Duration.ofSeconds(30))
                        .status())
                .isEqualTo(200);
    }

    private long count(int status, String problem) {
        return attempts.stream()
                .filter(a -> a.status() == status
                        && (problem.isEmpty() || a.problem().equals(problem)))
                .count();
    }
}
