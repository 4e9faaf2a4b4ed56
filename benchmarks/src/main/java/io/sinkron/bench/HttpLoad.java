package io.sinkron.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives an {@link HttpWorkload} with {@code clients} virtual threads, each on its own keep-alive
 * connection (client {@code c} to endpoint {@code c mod n}).
 *
 * <ul>
 *   <li><b>Closed loop</b> ({@code rate == 0}): each client starts its next operation when the last
 *       one answered; the latency is the operation's own time.
 *   <li><b>Open loop</b> ({@code rate > 0}): operations are due at a fixed total rate, spread evenly
 *       over the clients; a client that is late starts its next operation at once, and the latency
 *       is measured from when the operation was due, not when it could start, so a stall is charged
 *       to every operation it delayed (coordinated omission corrected, as wrk2 does). Throughput
 *       below the rate means the target could not keep up.
 * </ul>
 *
 * A warmup phase is run and discarded; the measured phase ends after {@code measure} or
 * {@code maxOps} completed operations, whichever comes first. Each request waits at most
 * {@code opTimeout}.
 */
final class HttpLoad {

    record Settings(
            int clients, Duration warmup, Duration measure, long maxOps, Duration opTimeout, double rate, long seed) {

        Settings closed(int n) {
            return new Settings(n, warmup, measure, maxOps, opTimeout, 0, seed);
        }

        Settings open(int n, double perSecond) {
            return new Settings(n, warmup, measure, maxOps, opTimeout, perSecond, seed);
        }
    }

    /** The measured phase: completed operations' latencies (ns), errors, elapsed seconds. */
    record Result(Histogram latencies, long errors, double seconds, String firstError) {

        long ops() {
            return latencies.getTotalCount();
        }

        double throughput() {
            return ops() / seconds;
        }

        double millis(double percentile) {
            return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1e6;
        }
    }

    private final List<String> endpoints;
    private final HttpWorkload workload;
    private final Settings settings;
    private final Recorder recorder = new Recorder(3);
    private final LongAdder completed = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final List<HttpConnection> connections = new ArrayList<>();
    private volatile boolean stopped;

    /** @param endpoints {@code host:port} of the targets */
    HttpLoad(List<String> endpoints, HttpWorkload workload, Settings settings) {
        this.endpoints = List.copyOf(endpoints);
        this.workload = workload;
        this.settings = settings;
    }

    Result run(ClosedLoop.PhaseListener phases) throws InterruptedException {
        List<Thread> clients = new ArrayList<>();
        long origin = System.nanoTime();
        for (int c = 0; c < settings.clients(); c++) {
            String[] endpoint = endpoints.get(c % endpoints.size()).split(":");
            var connection = new HttpConnection(endpoint[0], Integer.parseInt(endpoint[1]), (int)
                    settings.opTimeout().toMillis());
            synchronized (connections) {
                connections.add(connection);
            }
            int client = c;
            clients.add(Thread.ofVirtual().name("http-client-" + c).start(() -> loop(client, connection, origin)));
        }
        try {
            Thread.sleep(settings.warmup());
            recorder.getIntervalHistogram();
            completed.reset();
            errors.reset();
            phases.onPhase("measure-start");
            long start = System.nanoTime();
            long end = start + settings.measure().toNanos();
            for (long now = start; now < end && completed.sum() < settings.maxOps(); now = System.nanoTime()) {
                Thread.sleep(Math.min(20, Math.max(1, (end - now) / 1_000_000)));
            }
            Histogram latencies = recorder.getIntervalHistogram();
            long errorCount = errors.sum();
            double seconds = (System.nanoTime() - start) / 1e9;
            phases.onPhase("measure-end");
            return new Result(latencies, errorCount, seconds, firstError.get());
        } finally {
            stopped = true;
            for (Thread t : clients) {
                t.join(settings.opTimeout().plusSeconds(1));
            }
            synchronized (connections) {
                // Unblocks a client still waiting for an answer, e.g. a lock waiter.
                connections.forEach(HttpConnection::close);
            }
        }
    }

    private void loop(int client, HttpConnection connection, long origin) {
        var random = new SplittableRandom(settings.seed() * 1_000_003L + client);
        HttpWorkload.Operation operation = null;
        // Open loop: this client's share of the rate, its first slot staggered among the others'.
        long interval = settings.rate() > 0 ? (long) (1e9 * settings.clients() / settings.rate()) : 0;
        long due = origin + (interval * client) / Math.max(1, settings.clients());
        while (!stopped) {
            try {
                if (operation == null) {
                    operation = workload.client(client, connection, random);
                }
                long start = System.nanoTime();
                if (interval > 0) {
                    while (start < due && !stopped) {
                        LockSupport.parkNanos(due - start);
                        start = System.nanoTime();
                    }
                    start = due;
                    due += interval;
                }
                boolean ok = operation.run(connection);
                long latency = System.nanoTime() - start;
                if (stopped) {
                    return;
                }
                if (ok) {
                    recorder.recordValue(latency);
                    completed.increment();
                } else {
                    errors.increment();
                    firstError.compareAndSet(null, connection.body());
                }
            } catch (Exception e) {
                if (stopped) {
                    return;
                }
                errors.increment();
                firstError.compareAndSet(null, e.toString());
                // A refused or broken connection must not become a busy loop.
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
        }
    }
}
