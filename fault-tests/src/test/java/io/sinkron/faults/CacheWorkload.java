package io.sinkron.faults;

import io.sinkron.history.CheckOptions;
import io.sinkron.history.CheckResult;
import io.sinkron.history.LinearizabilityChecker;
import io.sinkron.history.Operation;
import io.sinkron.history.RegisterModel;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Clients read and write a few keys through both cache-service instances at random. Each key is a
 * register that must be linearizable across the instances; the history is checked per key with
 * {@link LinearizabilityChecker} (Wing and Gong's search). Keys change every {@value #KEY_PERIOD_S}
 * seconds, as Jepsen's independent keys do, so that each key's history stays short enough to check.
 *
 * <p>A read answered 200 or 404 is ok (404: absent); a write answered 200 is ok; a write answered
 * 503 (cluster unreachable, or accepted but not confirmed in time), a timeout or a dropped
 * connection is of unknown outcome (pending in the checked history); a refused read carries no
 * information and is left out.
 */
final class CacheWorkload implements Workload {

    private static final int CLIENTS = 4;
    private static final int KEYS = 3;
    private static final int KEY_PERIOD_S = 8;
    private static final int MAX_OPS_PER_CLIENT = 20_000;
    /** Longer than the service's write timeout (30 s), so a write is answered before we give up on it. */
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(45);

    private final List<ServiceProcess> instances;
    private final History history;
    private final String prefix;
    private final Random seeds;
    private final long startNanos = System.nanoTime();
    private final AtomicLong values = new AtomicLong();
    /** Requests not sent because the connection could not be opened in time (see {@link Requests}). */
    private final java.util.concurrent.atomic.AtomicInteger notSent = new java.util.concurrent.atomic.AtomicInteger();

    private final Queue<Operation<RegisterModel.Input<Long>, RegisterModel.Output<Long>>> operations =
            new ConcurrentLinkedQueue<>();
    private final Queue<String> anomalies = new ConcurrentLinkedQueue<>();
    private volatile CheckResult result;

    CacheWorkload(List<ServiceProcess> instances, History history, String prefix, long seed) {
        this.instances = List.copyOf(instances);
        this.history = history;
        this.prefix = prefix;
        this.seeds = new Random(seed);
    }

    @Override
    public String name() {
        return "cache";
    }

    @Override
    public int clients() {
        return CLIENTS;
    }

    @Override
    public void setUp() {}

    @Override
    public void runClient(int client, long deadlineNanos, BooleanSupplier stop) {
        Random random;
        synchronized (seeds) {
            random = new Random(seeds.nextLong());
        }
        String process = "cache-client-" + client;
        for (int n = 0; n < MAX_OPS_PER_CLIENT && !stop.getAsBoolean() && System.nanoTime() < deadlineNanos; n++) {
            long period = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos) / KEY_PERIOD_S;
            String key = prefix + "-" + period + "-" + random.nextInt(KEYS);
            ServiceProcess instance = instances.get(random.nextInt(instances.size()));
            try {
                if (random.nextBoolean()) {
                    read(process, instance, key);
                } else {
                    write(process, instance, key, values.incrementAndGet());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void read(String process, ServiceProcess instance, String key) throws InterruptedException {
        History.Op op = history.invoke(process + "@" + instance.name(), "cache", "read", key, null);
        try {
            Http.Response r = Http.get(instance.uri("/cache/" + key), HTTP_TIMEOUT);
            if (r.status() == 200 || r.status() == 404) {
                Long value = r.status() == 404 ? null : r.body().path("value").asLong();
                long done = op.ok(String.valueOf(value));
                operations.add(Operation.completed(
                        process, key, RegisterModel.read(), RegisterModel.readResult(value), op.invokeNanos(), done));
            } else {
                op.fail(r.status() + " " + r.problem());
                if (r.status() != 503) {
                    anomalies.add(
                            "read of " + key + " through " + instance + " answered " + r.status() + " " + r.text());
                }
            }
        } catch (HttpConnectTimeoutException e) {
            notSent.incrementAndGet();
            op.fail("not sent: " + e.getMessage());
        } catch (HttpTimeoutException e) {
            op.info("timeout");
            anomalies.add("read of " + key + " through " + instance + " not answered within " + HTTP_TIMEOUT);
        } catch (IOException e) {
            op.info(e.toString());
            anomalies.add("read of " + key + " through " + instance + " failed: " + e);
        }
    }

    private void write(String process, ServiceProcess instance, String key, long value) throws InterruptedException {
        History.Op op = history.invoke(process + "@" + instance.name(), "cache", "write", key, Long.toString(value));
        try {
            Http.Response r = Http.put(instance.uri("/cache/" + key), Map.of("value", value), HTTP_TIMEOUT);
            if (r.status() == 200) {
                long done = op.ok("version " + r.body().path("version").asLong());
                operations.add(Operation.completed(
                        process, key, RegisterModel.write(value), RegisterModel.writeResult(), op.invokeNanos(), done));
            } else if (r.status() == 503) {
                op.info("503 " + r.problem());
                operations.add(Operation.pending(process, key, RegisterModel.write(value), op.invokeNanos()));
            } else {
                op.fail(r.status() + " " + r.problem());
                anomalies.add("write of " + key + " through " + instance + " answered " + r.status() + " " + r.text());
            }
        } catch (HttpConnectTimeoutException e) {
            notSent.incrementAndGet();
            op.fail("not sent: " + e.getMessage());
        } catch (IOException e) {
            op.info(e.toString());
            operations.add(Operation.pending(process, key, RegisterModel.write(value), op.invokeNanos()));
            anomalies.add("write of " + key + " through " + instance + " got no answer: " + e);
        }
    }

    @Override
    public void finish() {}

    @Override
    public List<String> check() {
        var found = new ArrayList<>(anomalies);
        result = LinearizabilityChecker.check(
                List.copyOf(operations),
                new RegisterModel<>(),
                new CheckOptions(Long.MAX_VALUE, Duration.ofMinutes(2)));
        switch (result) {
            case CheckResult.Linearizable _ -> {}
            case CheckResult.NotLinearizable n ->
                found.add("key " + n.key() + " is not linearizable:\n" + n.explanation());
            case CheckResult.Unknown u ->
                found.add("the linearizability check of key " + u.key() + " ran out of budget: " + u.reason());
        }
        return found;
    }

    @Override
    public String summary() {
        long pending = operations.stream().filter(Operation::isPending).count();
        return String.format(
                "%d register operations checked for linearizability (%d writes of unknown outcome), %d requests not sent (connect timed out): %s",
                operations.size(), pending, notSent.get(), result);
    }
}
