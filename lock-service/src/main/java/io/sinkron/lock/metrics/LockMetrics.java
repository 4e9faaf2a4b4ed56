package io.sinkron.lock.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sinkron.lock.cluster.LockCluster;
import io.sinkron.lock.cluster.WaitingRequests;
import io.sinkron.lock.config.LockProperties;
import io.sinkron.proto.LockStats;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.springframework.stereotype.Component;

/**
 * The lock-service's meters, named for Prometheus ({@code sinkron_lock_...}).
 *
 * <ul>
 *   <li>{@code sinkron_lock_acquire_seconds} (histogram, tag {@code outcome}: granted, timeout,
 *       deadlock, or the problem kind that ended the request) measured here, per instance;
 *   <li>{@code sinkron_lock_held}, {@code sinkron_lock_waiters}, {@code sinkron_lock_sessions},
 *       {@code sinkron_lock_deadlocks_total}, {@code sinkron_lock_lease_expiries_total}: the
 *       cluster-wide lock table, read from the cluster when scraped (at most every
 *       {@code sinkron.lock.stats-max-age}), so every instance reports the same values;
 *   <li>{@code sinkron_lock_waiting_requests}: requests of this instance waiting right now.
 * </ul>
 */
@Component
public class LockMetrics {

    public static final List<String> OUTCOMES = List.of("granted", "timeout", "deadlock");

    private final MeterRegistry registry;
    private final LockCluster cluster;
    private final long maxAgeNanos;
    private final AtomicReference<LockStats> stats = new AtomicReference<>(LockStats.getDefaultInstance());
    private final AtomicLong refreshedAtNanos;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    /** The acquire timer of each outcome seen so far: registered once, not looked up per request. */
    private final ConcurrentHashMap<String, Timer> acquireTimers = new ConcurrentHashMap<>();

    LockMetrics(MeterRegistry registry, LockCluster cluster, WaitingRequests waiting, LockProperties properties) {
        this.registry = registry;
        this.cluster = cluster;
        this.maxAgeNanos = properties.statsMaxAge().toNanos();
        this.refreshedAtNanos = new AtomicLong(System.nanoTime() - maxAgeNanos);
        OUTCOMES.forEach(this::acquireTimer);
        gauge("sinkron.lock.held", "Locks with at least one holder", LockStats::getLocksHeld);
        gauge("sinkron.lock.waiters", "Requests queued for a lock", LockStats::getWaiters);
        gauge("sinkron.lock.sessions", "Open lock-user sessions", LockStats::getSessions);
        counter("sinkron.lock.deadlocks", "Deadlocks detected and broken", LockStats::getDeadlocksDetected);
        counter("sinkron.lock.lease.expiries", "Holds lost because their lease expired", LockStats::getLeaseExpiries);
        Gauge.builder("sinkron.lock.waiting.requests", waiting, WaitingRequests::size)
                .description("Requests of this instance waiting for a grant")
                .register(registry);
    }

    /** Records how long an acquire request took and how it ended. */
    public void recordAcquire(long startedNanos, String outcome) {
        acquireTimer(outcome).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    private Timer acquireTimer(String outcome) {
        return acquireTimers.computeIfAbsent(outcome, this::registerAcquireTimer);
    }

    private Timer registerAcquireTimer(String outcome) {
        return Timer.builder("sinkron.lock.acquire")
                .description("Time from an acquire request to its answer")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry);
    }

    private void gauge(String name, String description, ToDoubleFunction<LockStats> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.stats()))
                .description(description)
                .register(registry);
    }

    private void counter(String name, String description, ToDoubleFunction<LockStats> value) {
        FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.stats()))
                .description(description)
                .register(registry);
    }

    /**
     * The latest statistics; starts one asynchronous refresh when they are older than allowed, so a
     * scrape never waits for the cluster and sees values at most one refresh old.
     */
    LockStats stats() {
        long now = System.nanoTime();
        if (now - refreshedAtNanos.get() >= maxAgeNanos && refreshing.compareAndSet(false, true)) {
            cluster.stats().whenComplete((fresh, error) -> {
                if (fresh != null) {
                    stats.set(fresh);
                    refreshedAtNanos.set(System.nanoTime());
                }
                refreshing.set(false);
            });
        }
        return stats.get();
    }
}
