package io.sinkron.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * A closed loop: each of {@code clients} virtual threads puts, waits for the acknowledgement, and
 * puts again, so the offered load adapts to the target's speed and concurrency is exactly the
 * number of clients. A warmup phase (JIT, connections, the targets' own caches) is measured but
 * discarded; the measured phase ends after {@code measure} or {@code maxOps} puts, whichever
 * comes first.
 */
final class ClosedLoop {

    /**
     * @param keySpace puts go to keys drawn uniformly from this many 8-byte keys, as etcd's own
     *     benchmark does, so the stores hold a bounded set of keys however long the run
     */
    record Settings(
            int clients,
            Duration warmup,
            Duration measure,
            long maxOps,
            int valueBytes,
            int keySpace,
            Duration opTimeout,
            long seed) {}

    /** Told when the measured phase starts and ends, e.g. to sample the servers' CPU time. */
    interface PhaseListener {
        void onPhase(String phase);
    }

    private final KvTarget target;
    private final Settings settings;
    private final byte[][] keys;
    private final Recorder recorder = new Recorder(3);
    private final LongAdder completed = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicBoolean firstErrorReported = new AtomicBoolean();
    private volatile boolean stopped;

    ClosedLoop(KvTarget target, Settings settings) {
        this.target = target;
        this.settings = settings;
        this.keys = new byte[settings.keySpace()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "k%07d".formatted(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    LoadResult run(String targetName, PhaseListener phases) throws InterruptedException {
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < settings.clients(); c++) {
            long seed = settings.seed() * 1_000_003L + c;
            clients.add(Thread.ofVirtual().name("client-" + c).start(() -> loop(seed)));
        }
        try {
            var window = MeasuredPhase.run(
                    settings.warmup(),
                    settings.measure(),
                    settings.maxOps(),
                    recorder::getIntervalHistogram,
                    completed,
                    errors,
                    phases);
            return new LoadResult(
                    targetName, settings.clients(), window.errors(), window.seconds(), window.latencies());
        } finally {
            stopped = true;
            for (Thread t : clients) {
                t.join(settings.opTimeout().plusSeconds(1));
            }
        }
    }

    private void loop(long seed) {
        var random = new SplittableRandom(seed);
        byte[] value = new byte[settings.valueBytes()];
        random.nextBytes(value);
        while (!stopped) {
            byte[] key = keys[random.nextInt(keys.length)];
            long start = System.nanoTime();
            CompletableFuture<?> put = target.put(key, value);
            // Timed where the reply lands, not where this thread wakes up to send the next put.
            put.thenRun(() -> recorder.recordValue(System.nanoTime() - start));
            try {
                put.get(settings.opTimeout().toNanos(), TimeUnit.NANOSECONDS);
                completed.increment();
            } catch (ExecutionException | TimeoutException e) {
                put.cancel(true);
                onError(e instanceof ExecutionException ? e.getCause() : e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void onError(Throwable error) {
        errors.increment();
        if (firstErrorReported.compareAndSet(false, true)) {
            System.err.println("first failed put: " + error);
        }
        try {
            // A target that fails fast (e.g. refusing connections) must not turn the loop into a spin.
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
