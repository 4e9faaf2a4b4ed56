package io.sinkron.cache;

import io.sinkron.cache.home.CacheHome;
import io.sinkron.cache.home.DirectoryEntry;
import io.sinkron.cache.home.Fill;
import io.sinkron.cache.home.KeyVersion;
import io.sinkron.cache.home.Precondition;
import io.sinkron.cache.home.SessionStatus;
import io.sinkron.cache.home.StoredValue;
import io.sinkron.cache.home.WriteOutcome;
import io.sinkron.cache.home.WriteRequest;
import io.sinkron.cache.near.Installation;
import io.sinkron.cache.near.Line;
import io.sinkron.cache.near.LineState;
import io.sinkron.cache.near.NearCache;
import io.sinkron.cache.near.Ticket;
import io.sinkron.client.ConsensusException;
import io.sinkron.client.Subscription;
import io.sinkron.proto.CacheEvent;
import io.sinkron.proto.CacheHolder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cache-service instance's coherent near cache: serves reads from its {@link NearCache} while
 * its lease is valid, fills misses and performs writes through the home (the consensus cluster's
 * "cache" state machine), and keeps its lines coherent with the home's invalidations.
 *
 * <p>The guarantee: once a write has returned to any client through any instance, no instance
 * returns an older value. The home makes a write take effect only after every other holder dropped
 * its line or lost its lease (see {@code CacheStateMachine}); this class keeps the instance's side
 * of that bargain:
 *
 * <ul>
 *   <li>a line is served only while {@link InstanceLease} says the lease is valid, reckoned from
 *       when the keepalive was sent and a margin short of what the home allows;
 *   <li>an invalidation drops the line before it is acknowledged; invalidations whose events were
 *       lost come back with every keepalive answer, and a reconnected event stream triggers one;
 *   <li>a lease that was not renewed in time, or a session the home no longer knows, flushes the
 *       whole near cache before a new session is opened (self-invalidation);
 *   <li>{@link NearCache} never installs a line an invalidation, flush or write overtook.
 * </ul>
 *
 * <p>A write waits until the home reports it applied: from the event stream, or, if that event was
 * lost, by asking the home every {@link #COMPLETION_POLL}.
 */
public final class CoherentCache implements AutoCloseable {

    /** How often a waiting write asks the home whether it took effect, in case its event was lost. */
    static final Duration COMPLETION_POLL = Duration.ofMillis(100);

    private static final Logger log = LoggerFactory.getLogger(CoherentCache.class);

    private final CacheHome home;
    private final NearCache near;
    private final CacheProperties properties;
    private final MonotonicClock clock;
    private final CacheMetrics metrics;
    private final InstanceLease lease;
    private final WriteCompletions completions = new WriteCompletions();
    private final ScheduledExecutorService leaseKeeper;
    private volatile Subscription events;

    public CoherentCache(
            CacheHome home, NearCache near, CacheProperties properties, MonotonicClock clock, CacheMetrics metrics) {
        this.home = home;
        this.near = near;
        this.properties = properties;
        this.clock = clock;
        this.metrics = metrics;
        this.lease = new InstanceLease(
                clock, properties.lease().toNanos(), properties.leaseMargin().toNanos());
        this.leaseKeeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("cache-lease-" + properties.instanceId())
                .daemon()
                .factory());
    }

    /**
     * Follows the home's events and starts keeping a session: the first registration happens at
     * once, in the background, so the instance starts even while the cluster is unreachable.
     */
    public void start() {
        followEvents();
        leaseKeeper.scheduleWithFixedDelay(
                this::maintainLease, 0, properties.keepAliveInterval().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Subscribes to the home's events: invalidations, line state changes, applied writes. */
    void followEvents() {
        events = home.events(this::onEvent, this::onReconnect);
    }

    /** Whether the event stream is established, so invalidations arrive as they happen. */
    public boolean eventsConnected() {
        Subscription subscription = events;
        return subscription != null && subscription.isConnected();
    }

    /** Ends the session: stops serving, drops every line and tells the home (best effort). */
    @Override
    public void close() {
        leaseKeeper.shutdownNow();
        try {
            leaseKeeper.awaitTermination(properties.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (events != null) {
            events.close();
        }
        InstanceLease.Grant grant = lease.grant();
        lease.revoke(grant);
        near.flush();
        if (grant.session() != 0) {
            try {
                home.deregister(grant.session(), properties.requestTimeout());
            } catch (RuntimeException e) {
                log.info(
                        "could not end session {} at the home; it ends with its lease: {}",
                        grant.session(),
                        e.toString());
            }
        }
    }

    public String instanceId() {
        return properties.instanceId();
    }

    /** Whether this instance holds a valid lease, so it may serve from its near cache. */
    public boolean leaseValid() {
        return lease.servingSession() != 0;
    }

    /** The session this instance holds, 0 if none. */
    public long session() {
        return lease.grant().session();
    }

    /**
     * The value of {@code key}: from the near cache while the lease is valid, otherwise from the
     * home, registering this instance as a holder so the value can be cached.
     *
     * @throws KeyNotFoundException if the key has no value
     * @throws ConsensusException if the home cannot be reached on a miss
     */
    public CacheRead get(String key) {
        InstanceLease.Grant grant = lease.grant();
        long session = lease.servingSession();
        if (session != 0) {
            Optional<Line> line = near.get(key);
            if (line.isPresent()) {
                metrics.hit();
                Line hit = line.get();
                return new CacheRead(key, hit.value(), hit.version(), true, hit.state());
            }
        } else if (lease.expired(grant)) {
            selfInvalidate(grant);
        }
        metrics.miss();
        if (session == 0) {
            StoredValue stored = home.get(key);
            if (!stored.found()) {
                throw new KeyNotFoundException(key);
            }
            return new CacheRead(key, text(stored.value()), stored.version(), false, LineState.INVALID);
        }
        Ticket ticket = near.beginFill(key);
        Fill fill;
        try {
            fill = home.fill(session, ticket.epoch(), key);
        } catch (RuntimeException e) {
            near.complete(ticket, null, false);
            throw e;
        }
        String value = text(fill.value());
        Line line = fill.cacheable() && lease.serves(session)
                ? new Line(key, value, sizeOf(key, fill.value()), fill.version(), fill.state(), ticket.epoch())
                : null;
        Installation installation = near.complete(ticket, line, fill.cacheable());
        deregister(session, installation);
        if (!fill.found()) {
            throw new KeyNotFoundException(key);
        }
        return new CacheRead(
                key, value, fill.version(), false, installation.installed() ? fill.state() : LineState.INVALID);
    }

    /**
     * Writes {@code value} (JSON text) and returns once it took effect, i.e. every other instance
     * dropped its copy or lost its lease; this instance then holds it as MODIFIED.
     *
     * @param ttlMillis time to live, 0 for none
     * @return the new version
     * @throws VersionMismatchException if {@code precondition} fails
     * @throws WriteNotConfirmedException if the write was accepted but did not complete in time
     * @throws KeyBusyException if other writes of the key kept it busy until the write timeout
     * @throws ConsensusException if the home cannot be reached (the write may or may not happen)
     */
    public long put(String key, String value, long ttlMillis, Precondition precondition) {
        return write(key, false, value.getBytes(StandardCharsets.UTF_8), ttlMillis, precondition);
    }

    /**
     * Deletes {@code key}, returning once no instance holds it any more.
     *
     * @throws KeyNotFoundException if the key has no value
     * @throws VersionMismatchException if {@code precondition} fails
     */
    public void delete(String key, Precondition precondition) {
        write(key, true, new byte[0], 0, precondition);
    }

    private long write(String key, boolean delete, byte[] value, long ttlMillis, Precondition precondition) {
        long start = clock.nanoTime();
        long deadline = start + properties.writeTimeout().toNanos();
        try (WriteCompletions.Watch watch = completions.watch(key)) {
            OptionalLong version;
            do {
                version = attemptWrite(watch, key, delete, value, ttlMillis, precondition, deadline);
            } while (version.isEmpty());
            metrics.write(clock.nanoTime() - start);
            return version.getAsLong();
        }
    }

    /**
     * One attempt at a write; empty if another write of the key was pending, in which case it has
     * waited for that one to take effect.
     */
    private OptionalLong attemptWrite(
            WriteCompletions.Watch watch,
            String key,
            boolean delete,
            byte[] value,
            long ttlMillis,
            Precondition precondition,
            long deadline) {
        long session = lease.servingSession();
        Ticket ticket = near.beginWrite(key);
        Line line = null;
        boolean registered = false;
        try {
            WriteOutcome outcome =
                    home.write(new WriteRequest(session, ticket.epoch(), key, delete, value, ttlMillis, precondition));
            long version;
            switch (outcome) {
                case WriteOutcome.Applied applied -> version = applied.version();
                case WriteOutcome.Pending pending -> {
                    metrics.invalidationsSent(pending.awaiting().size());
                    long sent = clock.nanoTime();
                    if (!awaitApplied(watch, key, pending.version(), deadline)) {
                        throw new WriteNotConfirmedException(key, pending.version());
                    }
                    metrics.invalidationRoundTrip(clock.nanoTime() - sent);
                    version = pending.version();
                }
                case WriteOutcome.Busy busy -> {
                    near.complete(ticket, null, false);
                    ticket = null;
                    if (!awaitApplied(watch, key, busy.pendingVersion(), deadline)) {
                        throw new KeyBusyException(key, busy.pendingVersion());
                    }
                    return OptionalLong.empty();
                }
                case WriteOutcome.VersionMismatch mismatch ->
                    throw new VersionMismatchException(key, mismatch.current());
                case WriteOutcome.NotFound notFound -> throw new KeyNotFoundException(key);
            }
            // The home registers the writer's session as the MODIFIED holder of a value it wrote.
            registered = !delete && session != 0;
            if (registered && lease.serves(session)) {
                line = new Line(key, text(value), sizeOf(key, value), version, LineState.MODIFIED, ticket.epoch());
            }
            return OptionalLong.of(version);
        } finally {
            if (ticket != null) {
                deregister(session, near.complete(ticket, line, registered));
            }
        }
    }

    /**
     * Waits until write {@code version} of {@code key} took effect, by its event or by asking.
     *
     * @return false if the deadline passed first
     */
    private boolean awaitApplied(WriteCompletions.Watch watch, String key, long version, long deadline) {
        try {
            while (true) {
                long left = deadline - clock.nanoTime();
                if (left <= 0) {
                    return false;
                }
                if (watch.await(version, Math.min(left, COMPLETION_POLL.toNanos()))
                        || home.writeApplied(key, version)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Tells the home about registrations the near cache let go (see {@link NearCache#complete}). */
    private void deregister(long session, Installation installation) {
        if (session != 0 && !installation.deregister().isEmpty()) {
            home.evict(session, installation.deregister());
        }
    }

    /** The directory's entry for {@code key}. */
    public DirectoryEntry directory(String key) {
        DirectoryEntry entry = home.directory(key);
        if (!entry.found() && entry.holders().isEmpty()) {
            throw new KeyNotFoundException(key);
        }
        return entry;
    }

    public CacheStats stats() {
        Map<LineState, Integer> states = new EnumMap<>(LineState.class);
        for (LineState state : List.of(LineState.MODIFIED, LineState.EXCLUSIVE, LineState.SHARED)) {
            states.put(state, near.count(state));
        }
        return new CacheStats(
                properties.instanceId(),
                near.size(),
                near.maxEntries(),
                metrics.hits(),
                metrics.misses(),
                metrics.hitRatio(),
                near.evictions(),
                metrics.invalidationsReceived(),
                states);
    }

    private void onEvent(CacheEvent event) {
        switch (event.getEventCase()) {
            case INVALIDATE -> {
                var invalidate = event.getInvalidate();
                long session = lease.grant().session();
                if (session != 0 && invalidate.getSessionsList().contains(session)) {
                    dropAndAcknowledge(session, List.of(new KeyVersion(invalidate.getKey(), invalidate.getVersion())));
                }
            }
            case LINE_STATES -> {
                var states = event.getLineStates();
                long session = lease.grant().session();
                for (CacheHolder holder : states.getHoldersList()) {
                    if (session != 0 && holder.getSession() == session) {
                        near.changeState(states.getKey(), states.getVersion(), CacheHome.lineState(holder.getState()));
                    }
                }
            }
            case APPLIED ->
                completions.applied(
                        event.getApplied().getKey(), event.getApplied().getVersion());
            case EVENT_NOT_SET -> log.debug("ignoring an empty cache event");
        }
    }

    /** Events sent while the stream was down are lost; the keepalive answer lists what is owed. */
    private void onReconnect() {
        try {
            leaseKeeper.execute(this::maintainLease);
        } catch (RejectedExecutionException e) {
            log.debug("not renewing the lease after reconnecting: closing");
        }
    }

    private void dropAndAcknowledge(long session, List<KeyVersion> invalidations) {
        for (KeyVersion invalidation : invalidations) {
            near.invalidate(invalidation.key(), invalidation.version());
            metrics.invalidationReceived();
        }
        home.acknowledge(session, invalidations);
    }

    /**
     * Renews the lease, or opens a session if there is none; after a lapse, self-invalidates first.
     * Runs on the lease keeper thread, every keepalive interval and after the event stream
     * reconnects; synchronized so that a direct call never races it into a second registration.
     */
    synchronized void maintainLease() {
        try {
            InstanceLease.Grant grant = lease.grant();
            if (lease.expired(grant)) {
                selfInvalidate(grant);
                grant = lease.grant();
            }
            if (grant.session() == 0) {
                register();
                return;
            }
            long sent = clock.nanoTime();
            SessionStatus status = home.keepAlive(grant.session(), renewalDeadline());
            if (status.alive()) {
                lease.renewed(grant.session(), sent);
                if (!status.owed().isEmpty()) {
                    dropAndAcknowledge(grant.session(), status.owed());
                }
            } else {
                log.warn("the home ended session {}; dropping the near cache and registering again", grant.session());
                selfInvalidate(grant);
                register();
            }
        } catch (ConsensusException e) {
            log.debug("could not renew the lease: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("lease maintenance failed", e);
        }
    }

    private void register() {
        long sent = clock.nanoTime();
        long session =
                home.register(properties.instanceId(), properties.lease(), lease.lastSession(), renewalDeadline());
        lease.granted(session, sent);
        log.info("instance {} holds session {}", properties.instanceId(), session);
    }

    /** A renewal that arrives after the lease lapsed is no use, so it is not waited for longer. */
    private Duration renewalDeadline() {
        Duration usable = properties.lease().minus(properties.leaseMargin());
        return usable.compareTo(properties.requestTimeout()) < 0 ? usable : properties.requestTimeout();
    }

    /** Stops serving under {@code grant} and drops every line, unless the grant was renewed meanwhile. */
    private void selfInvalidate(InstanceLease.Grant grant) {
        if (lease.revoke(grant)) {
            int dropped = near.flush();
            log.warn("lease of session {} lapsed; dropped {} lines", grant.session(), dropped);
        }
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    private static int sizeOf(String key, byte[] value) {
        return key.getBytes(StandardCharsets.UTF_8).length + value.length;
    }
}
