package io.sinkron.bench;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The timeline every load loop runs while its clients work: a warmup whose latencies and counts
 * are discarded, then one measured window that ends after {@code measure} or {@code maxOps}
 * completed operations, whichever comes first. The clients record latencies that
 * {@code interval} hands over (and resets) and count into {@code completed} and {@code errors};
 * this only watches the clock and cuts the window.
 */
final class MeasuredPhase {

    /** What the measured window saw. */
    record Window(Histogram latencies, long errors, double seconds) {}

    private MeasuredPhase() {}

    static Window run(
            Duration warmup,
            Duration measure,
            long maxOps,
            Supplier<Histogram> interval,
            LongAdder completed,
            LongAdder errors,
            ClosedLoop.PhaseListener phases)
            throws InterruptedException {
        // The warmup is a span of load, not a wait for a condition: the clients run through it.
        Thread.sleep(warmup);
        interval.get();
        completed.reset();
        errors.reset();
        phases.onPhase("measure-start");
        long start = System.nanoTime();
        long end = start + measure.toNanos();
        for (long now = start; now < end && completed.sum() < maxOps; now = System.nanoTime()) {
            Thread.sleep(Math.min(20, Math.max(1, (end - now) / 1_000_000)));
        }
        Histogram latencies = interval.get();
        long errorCount = errors.sum();
        double seconds = (System.nanoTime() - start) / 1e9;
        phases.onPhase("measure-end");
        return new Window(latencies, errorCount, seconds);
    }
}
