package io.sinkron.bench;

import java.time.Duration;

/**
 * Unrecorded load until a server is warm: for at least a minimum span, then on in windows of
 * {@value #WINDOW_SECONDS} s until one window's throughput is within {@value #STEADY_PERCENT}% of
 * the one before (the JIT has compiled the hot paths, and whatever else started with the servers
 * has settled), for at most a limit. A JVM that has just started compiles for a minute or more on
 * two busy cores; a fixed warm-up measured the first level while its compiler threads still ran.
 */
final class WarmUp {

    static final int WINDOW_SECONDS = 5;
    static final int STEADY_PERCENT = 5;

    /** How the warm-up ended: its length, the last window's throughput, whether it was steady. */
    record Outcome(Duration took, double throughput, boolean steady) {

        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT,
                    "warm after %d s at %.0f ops/s%s",
                    took.toSeconds(),
                    throughput,
                    steady ? "" : " (not steady: stopped at the limit)");
        }
    }

    private WarmUp() {}

    /**
     * @param load the clients, limits and seed of the load; its warm-up and measure spans are
     *     replaced
     */
    static Outcome run(HttpLoad.Clients clients, HttpLoad.Settings load, Duration minimum, Duration limit)
            throws InterruptedException {
        long started = System.nanoTime();
        var first = new HttpLoad.Settings(
                load.clients(), Duration.ofSeconds(1), minimum, load.maxOps(), load.opTimeout(), 0, load.seed());
        double previous = new HttpLoad(clients, first).run(phase -> {}).throughput();
        var window = new HttpLoad.Settings(
                load.clients(),
                Duration.ofSeconds(1),
                Duration.ofSeconds(WINDOW_SECONDS),
                load.maxOps(),
                load.opTimeout(),
                0,
                load.seed());
        boolean steady = false;
        while (!steady && System.nanoTime() - started < limit.toNanos()) {
            double rate = new HttpLoad(clients, window).run(phase -> {}).throughput();
            steady = Math.abs(rate - previous) <= previous * STEADY_PERCENT / 100.0;
            previous = rate;
        }
        return new Outcome(Duration.ofNanos(System.nanoTime() - started), previous, steady);
    }
}
