package io.sinkron.lock.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Tuning of the lock-service.
 *
 * @param waitGrace how long past a request's {@code timeout} the service waits for the cluster's
 *     own verdict before cancelling the wait itself. The cluster expires waits in log time, whose
 *     clock entries arrive periodically, so its verdict may trail the deadline slightly.
 * @param statsMaxAge how old the cluster-wide lock statistics behind the gauges may get before a
 *     scrape refreshes them
 * @param maxRequestSize the largest request body accepted; larger ones get 413 before they are
 *     read (every lock request is a few hundred bytes)
 * @param commandsInFlight how many batches of try-once acquires, releases and lease keep-alives
 *     this service has in flight to the cluster at once; commands arriving while they are all out
 *     go together, one per lock, in the next (see {@code docs/locks.md}, "Batching")
 * @param maxBatch the most commands one batch carries
 */
@ConfigurationProperties("sinkron.lock")
public record LockProperties(
        @DefaultValue("500ms") Duration waitGrace,
        @DefaultValue("1s") Duration statsMaxAge,
        @DefaultValue("64KB") DataSize maxRequestSize,
        @DefaultValue("1") int commandsInFlight,
        @DefaultValue("256") int maxBatch) {}
