package io.sinkron.bench;

import java.io.IOException;
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
 * Drives an {@link HttpWorkload} (or, for Redis, a {@link RespWorkload}) with {@code clients}
 * virtual threads, each on its own keep-alive connection (client {@code c} to endpoint
 * {@code c mod n}) with one request in flight.
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

    /** One client's connection (opened on first use) and its operation, as the load loop drives them. */
    interface Client {
        /** Sets the client up (an etcd lease) before its first operation; retried until it succeeds. */
        void prepare() throws IOException;

        /** One operation; {@code true} when every request got the answer it expects. */
        boolean run() throws IOException;

        /** The last answer, kept as the first error's description. */
        String lastAnswer();

        /** Closes the connection, which also unblocks an operation still waiting for an answer. */
        void close();
    }

    /** The clients of one load: client {@code client} with its own random source and timeout. */
    interface Clients {
        Client client(int client, SplittableRandom random, int timeoutMillis);
    }

    private final Clients factory;
    private final Settings settings;
    private final Recorder recorder = new Recorder(3);
    private final LongAdder completed = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final List<Client> sessions = new ArrayList<>();
    private volatile boolean stopped;

    /** @param endpoints {@code host:port} of the targets */
    HttpLoad(List<String> endpoints, HttpWorkload workload, Settings settings) {
        this(http(endpoints, workload), settings);
    }

    HttpLoad(Clients clients, Settings settings) {
        this.factory = clients;
        this.settings = settings;
    }

    /** HTTP clients of {@code workload}, client {@code c} on {@code endpoints[c mod n]}. */
    static Clients http(List<String> endpoints, HttpWorkload workload) {
        List<String> targets = List.copyOf(endpoints);
        return (client, random, timeoutMillis) -> {
            String[] endpoint = targets.get(client % targets.size()).split(":");
            var connection = new HttpConnection(endpoint[0], Integer.parseInt(endpoint[1]), timeoutMillis);
            return new Client() {
                private HttpWorkload.Operation operation;

                @Override
                public void prepare() throws IOException {
                    operation = workload.client(client, connection, random);
                }

                @Override
                public boolean run() throws IOException {
                    return operation.run(connection);
                }

                @Override
                public String lastAnswer() {
                    return connection.body();
                }

                @Override
                public void close() {
                    connection.close();
                }
            };
        };
    }

    /** Redis clients of {@code workload}, client {@code c} on {@code endpoints[c mod n]}. */
    static Clients resp(List<String> endpoints, RespWorkload workload) {
        List<String> targets = List.copyOf(endpoints);
        return (client, random, timeoutMillis) -> {
            String[] endpoint = targets.get(client % targets.size()).split(":");
            var connection = new RespConnection(endpoint[0], Integer.parseInt(endpoint[1]), timeoutMillis);
            return new Client() {
                private RespWorkload.Operation operation;

                @Override
                public void prepare() {
                    operation = workload.client(client, random);
                }

                @Override
                public boolean run() throws IOException {
                    return operation.run(connection);
                }

                @Override
                public String lastAnswer() {
                    String text = connection.text();
                    return text == null ? "(nil)" : text;
                }

                @Override
                public void close() {
                    connection.close();
                }
            };
        };
    }

    Result run(ClosedLoop.PhaseListener phases) throws InterruptedException {
        List<Thread> clients = new ArrayList<>();
        long origin = System.nanoTime();
        for (int c = 0; c < settings.clients(); c++) {
            var session = factory.client(c, new SplittableRandom(settings.seed() * 1_000_003L + c), (int)
                    settings.opTimeout().toMillis());
            synchronized (sessions) {
                sessions.add(session);
            }
            int client = c;
            clients.add(Thread.ofVirtual().name("load-client-" + c).start(() -> loop(client, session, origin)));
        }
        try {
            var window = MeasuredPhase.run(
                    settings.warmup(), settings.measure(), settings.maxOps(), recorder, completed, errors, phases);
            return new Result(window.latencies(), window.errors(), window.seconds(), firstError.get());
        } finally {
            stopped = true;
            for (Thread t : clients) {
                t.join(settings.opTimeout().plusSeconds(1));
            }
            synchronized (sessions) {
                // Unblocks a client still waiting for an answer, e.g. a lock waiter.
                sessions.forEach(Client::close);
            }
        }
    }

    private void loop(int client, Client session, long origin) {
        boolean prepared = false;
        // Open loop: this client's share of the rate, its first slot staggered among the others'.
        long interval = settings.rate() > 0 ? (long) (1e9 * settings.clients() / settings.rate()) : 0;
        long due = origin + (interval * client) / Math.max(1, settings.clients());
        while (!stopped) {
            try {
                if (!prepared) {
                    session.prepare();
                    prepared = true;
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
                boolean ok = session.run();
                long latency = System.nanoTime() - start;
                if (stopped) {
                    return;
                }
                if (ok) {
                    recorder.recordValue(latency);
                    completed.increment();
                } else {
                    errors.increment();
                    firstError.compareAndSet(null, session.lastAnswer());
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
