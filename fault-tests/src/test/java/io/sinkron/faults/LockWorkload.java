package io.sinkron.faults;

import static org.awaitility.Awaitility.await;

import io.sinkron.testkit.Http;
import io.sinkron.testkit.ServiceProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * Clients take one exclusive lock through lock-service, and while they hold it write to a register
 * that refuses a fencing token lower than the highest it accepted; then they release it.
 *
 * <p>Checks: no two holds overlapped in real time while both leases surely ran (a hold's lease
 * surely ran until its release was sent if that was less than the ttl after the acquire was sent);
 * tokens only increase: a grant answered before another was requested has the smaller token (tokens
 * are log indexes, so this holds whatever the leases did); the register refused no write of a hold
 * whose lease surely ran; the service called no such token invalid; no waiter was lost: every
 * acquire was answered granted, lock-timeout or unavailable within its bound, and once the cluster
 * is whole again the lock is free (after the leases of unconfirmed releases ran out) and the next
 * acquire gets a token above every earlier one.
 */
final class LockWorkload implements Workload {

    private static final int CLIENTS = 5;
    private static final int MAX_ATTEMPTS_PER_CLIENT = 5_000;
    private static final long WAIT_MS = 1_000;
    private static final long TTL_MS = 10_000;
    private static final long TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(TTL_MS);
    /** Wait, grace, the acquire and a cancel each within the 5 s consensus deadline, plus 5 s for a loaded machine. */
    private static final Duration ANSWER_BOUND = Duration.ofMillis(WAIT_MS + 500 + 2 * 5_000 + 5_000);

    private static final Duration HTTP_TIMEOUT = ANSWER_BOUND.plusSeconds(30);
    private static final int RELEASE_TRIES = 10;

    /** One grant as its client saw it. */
    record Hold(
            String owner, long token, long requestedNanos, long grantedNanos, long releasingNanos, String released) {
        boolean leaseSurely() {
            return releasingNanos - requestedNanos < TTL_NANOS;
        }
    }

    /** The protected resource: accepts a write only with a token at least the highest accepted. */
    private static final class FencedRegister {
        private long highest;
        private int accepted;

        /** Whether the write was accepted. */
        synchronized boolean write(long token) {
            if (token < highest) {
                return false;
            }
            highest = token;
            accepted++;
            return true;
        }

        synchronized int accepted() {
            return accepted;
        }
    }

    private final ServiceProcess service;
    private final History history;
    private final String lock;
    private final FencedRegister register = new FencedRegister();
    private final Queue<Hold> holds = new ConcurrentLinkedQueue<>();
    private final Queue<String> anomalies = new ConcurrentLinkedQueue<>();
    private final Requests requests = new Requests(anomalies);
    private final Queue<Long> answerMillis = new ConcurrentLinkedQueue<>();
    private final List<String> finalAnomalies = new ArrayList<>();

    LockWorkload(ServiceProcess service, History history, String lock) {
        this.service = service;
        this.history = history;
        this.lock = lock;
    }

    @Override
    public String name() {
        return "lock";
    }

    @Override
    public int clients() {
        return CLIENTS;
    }

    @Override
    public void setUp() {}

    @Override
    public void runClient(int client, long deadlineNanos, BooleanSupplier stop) {
        try {
            for (int n = 0;
                    n < MAX_ATTEMPTS_PER_CLIENT && !stop.getAsBoolean() && System.nanoTime() < deadlineNanos;
                    n++) {
                // A new owner per attempt: an unknown outcome never turns into a reentrant hold.
                attempt(client, "lock-client-" + client + "-" + n);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void attempt(int client, String owner) throws InterruptedException {
        History.Op op = history.invoke("lock-" + client, "lock", "acquire", lock, owner);
        Http.Response r = requests.send(
                op,
                owner + ": acquire (a lost waiter)",
                HTTP_TIMEOUT,
                () -> Http.post(
                        service.uri("/locks/" + lock),
                        Map.of("lock_type", "exclusive", "timeout", WAIT_MS, "client_id", owner, "ttl", TTL_MS),
                        HTTP_TIMEOUT));
        if (r == null) {
            return;
        }
        long answered;
        if (r.status() == 200) {
            long token = r.body().path("fencing_token").asLong();
            answered = op.ok(Long.toString(token));
            answerMillis.add(TimeUnit.NANOSECONDS.toMillis(answered - op.invokeNanos()));
            hold(client, owner, token, op.invokeNanos(), answered);
            return;
        }
        if (r.status() == 409 && r.problem().equals("lock-timeout")) {
            answered = op.fail("lock-timeout");
        } else if (r.status() == 503) {
            answered = op.info("503 " + r.problem());
        } else {
            answered = op.fail(r.status() + " " + r.problem());
            anomalies.add(owner + ": acquire answered " + r.status() + " " + r.text());
        }
        answerMillis.add(TimeUnit.NANOSECONDS.toMillis(answered - op.invokeNanos()));
    }

    private void hold(int client, String owner, long token, long requested, long granted) throws InterruptedException {
        History.Op validate = history.invoke("lock-" + client, "lock", "validate", lock, Long.toString(token));
        Http.Response v = requests.send(
                validate,
                owner + ": validate of token " + token,
                HTTP_TIMEOUT,
                () -> Http.post(
                        service.uri("/locks/" + lock + "/validate"), Map.of("fencing_token", token), HTTP_TIMEOUT));
        boolean valid = v != null && v.status() == 200 && v.body().path("valid").asBoolean();
        if (v != null) {
            if (v.status() == 200) {
                validate.ok(Boolean.toString(valid));
            } else if (v.status() == 503) {
                validate.fail("503");
            } else {
                validate.fail(v.status() + "");
                anomalies.add("validate of token " + token + " answered " + v.status() + " " + v.text());
            }
        }
        History.Op write = history.invoke("lock-" + client, "lock", "write", "register", Long.toString(token));
        boolean accepted = register.write(token);
        long wrote = accepted ? write.ok("accepted") : write.fail("stale token");
        if (v != null && v.status() == 200 && !valid && wrote - requested < TTL_NANOS) {
            anomalies.add(owner + " holds token " + token + " within its lease, but the service calls it invalid");
        }
        if (!accepted && wrote - requested < TTL_NANOS) {
            anomalies.add(owner + " wrote with token " + token + " within its lease and the register refused it");
        }
        long releasing = System.nanoTime();
        holds.add(new Hold(owner, token, requested, granted, releasing, release(client, owner)));
    }

    /** Releases until the cluster confirms, or a retry finds the hold gone (an earlier try took effect). */
    private String release(int client, String owner) throws InterruptedException {
        String last = "";
        for (int i = 0; i < RELEASE_TRIES; i++) {
            History.Op op = history.invoke("lock-" + client, "lock", "release", lock, owner);
            Http.Response r = requests.send(
                    op,
                    owner + ": release",
                    HTTP_TIMEOUT,
                    () -> Http.delete(service.uri("/locks/" + lock + "?client_id=" + owner), HTTP_TIMEOUT));
            if (r == null) {
                last = "no answer";
                continue;
            }
            last = r.status() + " " + r.problem();
            if (r.status() == 200) {
                op.ok("released");
                return "released";
            }
            if (r.status() == 503) {
                op.info(last);
                continue;
            }
            op.fail(last);
            if (r.status() == 409 && i > 0 && r.problem().equals("not-owner")) {
                return "released by an earlier try";
            }
            if (!(r.status() == 409 && r.problem().equals("lease-expired"))) {
                anomalies.add(owner + " release answered " + r.status() + " " + r.text());
            }
            return last;
        }
        // The lease ends the hold; the grants that follow are still checked.
        return "unconfirmed: " + last;
    }

    @Override
    public void finish() throws Exception {
        long maxToken = holds.stream().mapToLong(Hold::token).max().orElse(0);
        // Holds whose release stayed unconfirmed end with their lease.
        var state = new java.util.concurrent.atomic.AtomicReference<JsonNode>();
        try {
            await("lock " + lock + " free")
                    .atMost(Duration.ofMillis(TTL_MS).plusSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        Http.Response r = Http.get(service.uri("/locks/" + lock), Duration.ofSeconds(10));
                        state.set(r.body());
                        return r.status() == 200
                                && r.body().path("holders").isEmpty()
                                && r.body().path("waiters").isEmpty();
                    });
        } catch (ConditionTimeoutException e) {
            finalAnomalies.add("lock not free after the run: " + state.get());
            return;
        }
        Http.Response last = Http.post(
                service.uri("/locks/" + lock),
                Map.of("lock_type", "exclusive", "client_id", "lock-final"),
                Duration.ofSeconds(30));
        if (last.status() != 200 || last.body().path("fencing_token").asLong() <= maxToken) {
            finalAnomalies.add("final acquire answered " + last.status() + " " + last.text() + " (highest token seen "
                    + maxToken + ")");
        }
        Http.delete(service.uri("/locks/" + lock + "?client_id=lock-final"), Duration.ofSeconds(30));
    }

    @Override
    public List<String> check() {
        var found = new ArrayList<>(anomalies);
        found.addAll(finalAnomalies);
        for (long millis : answerMillis) {
            if (millis > ANSWER_BOUND.toMillis()) {
                found.add("an acquire was answered after " + millis + " ms, beyond " + ANSWER_BOUND);
            }
        }
        found.addAll(checkHolds(List.copyOf(holds)));
        return found;
    }

    /**
     * Mutual exclusion and token order over the holds the clients saw: no grant answered while a hold
     * whose lease surely ran was not yet released; a grant answered before another was requested
     * has the smaller token.
     */
    static List<String> checkHolds(List<Hold> holds) {
        var found = new ArrayList<String>();
        List<Hold> byGrant = holds.stream()
                .sorted(Comparator.comparingLong(Hold::grantedNanos))
                .toList();
        // Mutual exclusion: no grant answered while a hold whose lease surely ran was not yet released.
        Hold latestEnding = null;
        for (Hold h : byGrant) {
            if (latestEnding != null && h.grantedNanos() < latestEnding.releasingNanos()) {
                found.add("two holders at once: " + latestEnding + " and " + h);
            }
            if (h.leaseSurely() && (latestEnding == null || h.releasingNanos() > latestEnding.releasingNanos())) {
                latestEnding = h;
            }
        }
        // Token order: a grant answered before another was requested precedes it in the log.
        long highestEarlier = Long.MIN_VALUE;
        Hold highestHold = null;
        int next = 0;
        List<Hold> byRequest = holds.stream()
                .sorted(Comparator.comparingLong(Hold::requestedNanos))
                .toList();
        for (Hold h : byRequest) {
            while (next < byGrant.size() && byGrant.get(next).grantedNanos() < h.requestedNanos()) {
                Hold earlier = byGrant.get(next++);
                if (earlier.token() > highestEarlier) {
                    highestEarlier = earlier.token();
                    highestHold = earlier;
                }
            }
            if (highestHold != null && h.token() <= highestEarlier) {
                found.add("token did not increase: " + highestHold + " was granted before " + h + " was requested");
            }
        }
        return found;
    }

    @Override
    public String summary() {
        return String.format(
                "%d grants checked for overlap and token order, %d register writes accepted, slowest acquire answer %d ms (bound %d ms), %d requests not sent (connect timed out)",
                holds.size(),
                register.accepted(),
                answerMillis.stream().mapToLong(Long::longValue).max().orElse(0),
                ANSWER_BOUND.toMillis(),
                requests.notSent());
    }
}
