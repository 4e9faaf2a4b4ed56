package io.sinkron.bench;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The timeline every load loop runs while its clients work: a warmup whose latencies and counts
 * are discarded, then one measured window that ends after {@code measure} or {@code maxOps}
 * completed operations, whichever comes first. The clients record into {@code recorder},
 * {@code completed} and {@code errors}; this only watches the clock and cuts the window.
 */
final class MeasuredPhase {

    /** What the measured window saw. */
    record Window(Histogram latencies, long errors, double seconds) {}

    private MeasuredPhase() {}

    static Window run(
            Duration warmup,
            Duration measure,
            long maxOps,
            Recorder recorder,
            LongAdder completed,
            LongAdder errors,
            ClosedLoop.PhaseListener phases)
            throws InterruptedException {
        // The warmup is a span of load, not a wait for a condition: the clients run through it.
        Thread.sleep(warmup);
        recorder.getIntervalHistogram();
        completed.reset();
        errors.reset();
        phases.onPhase("measure-start");
        long start = System.nanoTime();
        long end = start + measure.toNanos();
        for (long now = start; now < end && completed.sum() < maxOps; now = System.nanoTime()) {
            Thread.sleep(Math.min(20, Math.max(1, (end - now) / 1_000_000)));
        }
        Histogram latencies = recorder.getIntervalHistogram();
        long errorCount = errors.sum();
        double seconds = (System.nanoTime() - start) / 1e9;
        phases.onPhase("measure-end");
        return new Window(latencies, errorCount, seconds);
    }
}
