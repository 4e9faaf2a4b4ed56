package io.sinkron.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Drives an {@link HttpWorkload} (or, for Redis, a {@link RespWorkload}) with {@code clients}
 * keep-alive connections (client {@code c} to endpoint {@code c mod n}), one request in flight on
 * each, multiplexed over a few platform threads ({@link ConnectionLoop}, one per core, as wrk runs
 * one thread per core over epoll). Requests are pre-rendered bytes; answers are parsed in place.
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
 * {@code opTimeout}. Each thread records latencies into its own histogram; the measured window is
 * their merge.
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

    /**
     * One client as a {@link ConnectionLoop} drives it: where it connects, the parser of its
     * protocol and its operation. Used by one loop thread only, after {@link #prepare()}.
     */
    interface Client {
        InetSocketAddress address();

        /** Sets the client up (an etcd lease) before the load starts, with blocking calls. */
        void prepare() throws IOException;

        /** The first request of the next operation. */
        byte[] start();

        /** The next request after the answer just parsed, or {@link Operation#SUCCEEDED}/{@link Operation#FAILED}. */
        byte[] next();

        /** Parses answer bytes; see {@link HttpResponseParser#parse}. */
        int parse(byte[] buffer, int from, int to) throws IOException;

        boolean complete();

        /** The server closed the connection; completes an answer that runs until the close, or throws. */
        void endOfStream() throws IOException;

        /** Whether the server closes the connection after this answer. */
        boolean closeAfter();

        /** Readies the parser for the next answer. */
        void reset();

        /** The answer just parsed, kept as the first error's description. */
        String lastAnswer();
    }

    /** The clients of one load: client {@code client} with its own random source and timeout. */
    interface Clients {
        Client client(int client, SplittableRandom random, int timeoutMillis);
    }

    private final Clients factory;
    private final Settings settings;
    private final LongAdder completed = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();

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
            var address = new InetSocketAddress(endpoint[0], Integer.parseInt(endpoint[1]));
            String authority = endpoint[0] + ":" + endpoint[1];
            var parser = new HttpResponseParser();
            return new Client() {
                private Operation<HttpResponseParser> operation;

                @Override
                public InetSocketAddress address() {
                    return address;
                }

                @Override
                public void prepare() throws IOException {
                    try (var setup = new HttpConnection(endpoint[0], address.getPort(), timeoutMillis)) {
                        operation = workload.client(client, authority, random, setup);
                    }
                }

                @Override
                public byte[] start() {
                    return operation.start();
                }

                @Override
                public byte[] next() {
                    return operation.next(parser);
                }

                @Override
                public int parse(byte[] buffer, int from, int to) throws IOException {
                    return parser.parse(buffer, from, to);
                }

                @Override
                public boolean complete() {
                    return parser.complete();
                }

                @Override
                public void endOfStream() throws IOException {
                    parser.endOfStream();
                }

                @Override
                public boolean closeAfter() {
                    return parser.closeAfter();
                }

                @Override
                public void reset() {
                    parser.reset();
                }

                @Override
                public String lastAnswer() {
                    return parser.status() + " " + parser.body();
                }
            };
        };
    }

    /** Redis clients of {@code workload}, client {@code c} on {@code endpoints[c mod n]}. */
    static Clients resp(List<String> endpoints, RespWorkload workload) {
        List<String> targets = List.copyOf(endpoints);
        return (client, random, timeoutMillis) -> {
            String[] endpoint = targets.get(client % targets.size()).split(":");
            var address = new InetSocketAddress(endpoint[0], Integer.parseInt(endpoint[1]));
            var parser = new RespReplyParser();
            return new Client() {
                private Operation<RespReplyParser> operation;

                @Override
                public InetSocketAddress address() {
                    return address;
                }

                @Override
                public void prepare() {
                    operation = workload.client(client, random);
                }

                @Override
                public byte[] start() {
                    return operation.start();
                }

                @Override
                public byte[] next() {
                    return operation.next(parser);
                }

                @Override
                public int parse(byte[] buffer, int from, int to) throws IOException {
                    return parser.parse(buffer, from, to);
                }

                @Override
                public boolean complete() {
                    return parser.complete();
                }

                @Override
                public void endOfStream() throws IOException {
                    parser.endOfStream();
                }

                @Override
                public boolean closeAfter() {
                    return false;
                }

                @Override
                public void reset() {
                    parser.reset();
                }

                @Override
                public String lastAnswer() {
                    String text = parser.text();
                    return text == null ? "(nil)" : text;
                }
            };
        };
    }

    /** How many loop threads drive {@code clients}: one per core, as wrk's {@code -t}, at most one per client. */
    static int threads(int clients) {
        return Math.max(1, Math.min(clients, Runtime.getRuntime().availableProcessors()));
    }

    Result run(ClosedLoop.PhaseListener phases) throws InterruptedException {
        int clients = settings.clients();
        int timeoutMillis = (int) settings.opTimeout().toMillis();
        List<Client> prepared = prepare(clients, timeoutMillis);
        // Open loop: each client's share of the rate, its first slot staggered among the others'.
        long interval = settings.rate() > 0 ? (long) (1e9 * clients / settings.rate()) : 0;
        long origin = System.nanoTime() + 1_000_000;
        List<ConnectionLoop> loops = new ArrayList<>();
        try {
            for (int t = 0; t < threads(clients); t++) {
                loops.add(new ConnectionLoop(interval, settings.opTimeout().toNanos(), completed, errors, firstError));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot open a selector", e);
        }
        for (int c = 0; c < clients; c++) {
            if (prepared.get(c) != null) {
                loops.get(c % loops.size()).add(prepared.get(c), origin + (interval * c) / clients);
            }
        }
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < loops.size(); t++) {
            threads.add(Thread.ofPlatform().name("load-loop-" + t).start(loops.get(t)));
        }
        try {
            var window = MeasuredPhase.run(
                    settings.warmup(),
                    settings.measure(),
                    settings.maxOps(),
                    () -> merged(loops),
                    completed,
                    errors,
                    phases);
            return new Result(window.latencies(), window.errors(), window.seconds(), firstError.get());
        } finally {
            loops.forEach(ConnectionLoop::stop);
            for (Thread t : threads) {
                t.join(settings.opTimeout().plusSeconds(1));
            }
        }
    }

    private static Histogram merged(List<ConnectionLoop> loops) {
        var merged = new Histogram(3);
        for (ConnectionLoop loop : loops) {
            merged.add(loop.interval());
        }
        return merged;
    }

    /**
     * Creates and sets up every client, all at once on virtual threads; a client whose set-up
     * still fails after {@code opTimeout} is counted as an error and left out ({@code null}).
     */
    private List<Client> prepare(int clients, int timeoutMillis) throws InterruptedException {
        var ready = new ArrayList<Client>(clients);
        List<Thread> setups = new ArrayList<>();
        long deadline = System.nanoTime() + settings.opTimeout().toNanos();
        for (int c = 0; c < clients; c++) {
            var client = factory.client(c, new SplittableRandom(settings.seed() * 1_000_003L + c), timeoutMillis);
            ready.add(client);
            int index = c;
            setups.add(Thread.ofVirtual().name("load-setup-" + c).start(() -> {
                while (true) {
                    try {
                        client.prepare();
                        return;
                    } catch (IOException | RuntimeException e) {
                        firstError.compareAndSet(null, "set-up of client " + index + ": " + e);
                        if (System.nanoTime() > deadline) {
                            errors.increment();
                            synchronized (ready) {
                                ready.set(index, null);
                            }
                            return;
                        }
                        // A refused connection must not become a busy loop.
                        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
                    }
                }
            }));
        }
        for (Thread t : setups) {
            t.join();
        }
        synchronized (ready) {
            return new ArrayList<>(ready);
        }
    }
}
