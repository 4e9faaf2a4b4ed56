package io.sinkron.cache;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sinkron.cache.near.LineState;
import io.sinkron.cache.near.NearCache;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cache's counters, kept here for {@code /cache/stats} and published to Micrometer
 * ({@code sinkron_cache_hits_total}, {@code sinkron_cache_write_latency_seconds_bucket}, ...).
 */
public final class CacheMetrics {

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder invalidationsSent = new LongAdder();
    private final LongAdder invalidationsReceived = new LongAdder();
    private final Timer invalidationRoundTrip;
    private final Timer writeLatency;

    public CacheMetrics(MeterRegistry registry, NearCache near) {
        FunctionCounter.builder("sinkron.cache.hits", hits, LongAdder::doubleValue)
                .description("GETs served from the near cache")
                .register(registry);
        FunctionCounter.builder("sinkron.cache.misses", misses, LongAdder::doubleValue)
                .description("GETs that went to the home")
                .register(registry);
        Gauge.builder("sinkron.cache.hit.ratio", this, CacheMetrics::hitRatio)
                .description("hits / (hits + misses) since start")
                .register(registry);
        FunctionCounter.builder("sinkron.cache.evictions", near, NearCache::evictions)
                .description("lines evicted by the LRU policy")
                .register(registry);
        FunctionCounter.builder("sinkron.cache.invalidations.sent", invalidationsSent, LongAdder::doubleValue)
                .description("other instances' lines invalidated by writes through this instance")
                .register(registry);
        FunctionCounter.builder("sinkron.cache.invalidations.received", invalidationsReceived, LongAdder::doubleValue)
                .description("invalidations of this instance's lines")
                .register(registry);
        for (LineState state : new LineState[] {LineState.MODIFIED, LineState.EXCLUSIVE, LineState.SHARED}) {
            Gauge.builder("sinkron.cache.lines", near, cache -> cache.count(state))
                    .description("near-cache lines per MESI state")
                    .tag("state", state.name())
                    .register(registry);
        }
        Gauge.builder("sinkron.cache.bytes", near, NearCache::bytes)
                .description("bytes of keys and values in the near cache")
                .baseUnit("bytes")
                .register(registry);
        invalidationRoundTrip = Timer.builder("sinkron.cache.invalidation.round.trip")
                .description("from a write's acceptance to the last holder's acknowledgement or lease expiry")
                .publishPercentileHistogram()
                .register(registry);
        writeLatency = Timer.builder("sinkron.cache.write.latency")
                .description("PUT and DELETE latency, invalidations included")
                .publishPercentileHistogram()
                .register(registry);
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void invalidationsSent(int count) {
        invalidationsSent.add(count);
    }

    void invalidationReceived() {
        invalidationsReceived.increment();
    }

    void invalidationRoundTrip(long nanos) {
        invalidationRoundTrip.record(nanos, TimeUnit.NANOSECONDS);
    }

    void write(long nanos) {
        writeLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    long hits() {
        return hits.sum();
    }

    long misses() {
        return misses.sum();
    }

    long invalidationsReceived() {
        return invalidationsReceived.sum();
    }

    double hitRatio() {
        long h = hits.sum();
        long total = h + misses.sum();
        return total == 0 ? 0 : (double) h / total;
    }
}
