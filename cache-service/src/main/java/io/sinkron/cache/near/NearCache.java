package io.sinkron.cache.near;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An instance's near cache: lines in MESI states, bounded by a number of entries and a number of
 * bytes, evicting the least recently used line first.
 *
 * <p><b>Installs never overtake invalidations.</b> A read miss or a write runs as {@link
 * #beginFill}/{@link #beginWrite}, a round trip to the home, then {@link #complete}. An
 * invalidation that arrives during the round trip may concern the registration the round trip
 * made, so while any operation on a key is in flight the key has a guard whose barrier counts the
 * invalidations, flushes and write completions it has seen; a completing operation installs its
 * line only if the barrier has not moved since it began. A fill also does not install while a write
 * of the key is in flight: the write may already be committed, and it voids this instance's
 * earlier registrations without sending an invalidation. Guards exist only while operations are in
 * flight, so they cost nothing for idle keys.
 *
 * <p>Thread-safe; every method holds the cache's monitor briefly and never blocks.
 */
public final class NearCache {

    private static final class Guard {
        int inFlight;
        int writes;
        long barrier;
    }

    private final int maxEntries;
    private final long maxBytes;
    /** In access order: the first line is the least recently used. */
    private final LinkedHashMap<String, Line> lines = new LinkedHashMap<>(16, 0.75f, true);

    private final Map<String, Guard> guards = new HashMap<>();
    private final EnumMap<LineState, Integer> stateCounts = new EnumMap<>(LineState.class);
    private long bytes;
    private long epochs;
    private long evictions;

    public NearCache(int maxEntries, long maxBytes) {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException(
                    "capacity must be positive, got " + maxEntries + " entries and " + maxBytes + " bytes");
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** The line of {@code key}, which becomes the most recently used. */
    public synchronized Optional<Line> get(String key) {
        return Optional.ofNullable(lines.get(key));
    }

    /** Starts a read miss of {@code key}. */
    public synchronized Ticket beginFill(String key) {
        Guard guard = guards.computeIfAbsent(key, k -> new Guard());
        guard.inFlight++;
        return new Ticket(key, ++epochs, guard.barrier, false);
    }

    /**
     * Starts a write of {@code key}: drops the line, since the write may take effect before its
     * answer arrives, and stops fills already in flight from installing what they read before it.
     */
    public synchronized Ticket beginWrite(String key) {
        remove(key);
        Guard guard = guards.computeIfAbsent(key, k -> new Guard());
        guard.inFlight++;
        guard.writes++;
        guard.barrier++;
        return new Ticket(key, ++epochs, guard.barrier, true);
    }

    /**
     * Ends the operation of {@code ticket}, installing {@code line} (null: nothing to install) if no
     * invalidation, flush or other write of the key overtook it and it fits the capacity.
     *
     * <p>The home keeps one registration per instance and key, with the highest epoch of the fills
     * and writes that made it, and an eviction up to an epoch drops it whole. So a registration is
     * handed back for deregistration only when nothing else of the key depends on it: for an
     * evicted line, operations of its key still in flight are stopped from installing; for an
     * operation that registered ({@code registered}) but installed nothing, only if the instance
     * holds no line of the key and nothing else of the key is in flight.
     */
    public synchronized Installation complete(Ticket ticket, Line line, boolean registered) {
        if (line != null && !line.key().equals(ticket.key())) {
            throw new IllegalArgumentException("line of " + line.key() + " completes a ticket of " + ticket.key());
        }
        Guard guard = guards.get(ticket.key());
        boolean current = guard.barrier == ticket.barrier() && guard.writes == (ticket.write() ? 1 : 0);
        guard.inFlight--;
        if (ticket.write()) {
            guard.writes--;
            // Fills still in flight may have read the value this write replaced.
            guard.barrier++;
        }
        if (guard.inFlight == 0) {
            guards.remove(ticket.key());
        }
        Map<String, Long> deregister = new LinkedHashMap<>();
        if (line == null || !current || line.sizeBytes() > maxBytes) {
            if (registered && guard.inFlight == 0 && !lines.containsKey(ticket.key())) {
                deregister.put(ticket.key(), ticket.epoch());
            }
            return new Installation(false, deregister);
        }
        Line previous = remove(line.key());
        Line installed = previous == null ? line : line.withEpoch(Math.max(line.epoch(), previous.epoch()));
        lines.put(installed.key(), installed);
        bytes += installed.sizeBytes();
        stateCounts.merge(installed.state(), 1, Integer::sum);
        Iterator<Line> eldest = lines.values().iterator();
        while (lines.size() > maxEntries || bytes > maxBytes) {
            Line victim = eldest.next();
            eldest.remove();
            forget(victim);
            evictions++;
            Guard victimGuard = guards.get(victim.key());
            if (victimGuard != null) {
                victimGuard.barrier++;
            }
            deregister.put(victim.key(), victim.epoch());
        }
        return new Installation(true, deregister);
    }

    /**
     * The home invalidated {@code key} for its write {@code version}: drops a line older than that
     * and stops operations in flight from installing.
     *
     * @return whether a line was dropped
     */
    public synchronized boolean invalidate(String key, long version) {
        Guard guard = guards.get(key);
        if (guard != null) {
            guard.barrier++;
        }
        Line line = lines.get(key);
        if (line != null && line.version() < version) {
            remove(key);
            return true;
        }
        return false;
    }

    /** The directory changed the state of this instance's line of {@code key} at {@code version}. */
    public synchronized void changeState(String key, long version, LineState state) {
        Line line = lines.get(key);
        if (line != null && line.version() == version && state != LineState.INVALID && line.state() != state) {
            forget(line);
            Line changed = line.withState(state);
            lines.put(key, changed);
            bytes += changed.sizeBytes();
            stateCounts.merge(state, 1, Integer::sum);
        }
    }

    /** Drops every line (self-invalidation) and stops every operation in flight from installing. */
    public synchronized int flush() {
        int dropped = lines.size();
        lines.clear();
        stateCounts.clear();
        bytes = 0;
        guards.values().forEach(guard -> guard.barrier++);
        return dropped;
    }

    public synchronized int size() {
        return lines.size();
    }

    public synchronized long bytes() {
        return bytes;
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** Lines pushed out by capacity since the cache was created. */
    public synchronized long evictions() {
        return evictions;
    }

    public synchronized int count(LineState state) {
        return stateCounts.getOrDefault(state, 0);
    }

    /** The lines from least to most recently used, without touching their order. */
    public synchronized List<Line> lines() {
        return List.copyOf(lines.values());
    }

    private Line remove(String key) {
        Line line = lines.remove(key);
        if (line != null) {
            forget(line);
        }
        return line;
    }

    private void forget(Line line) {
        bytes -= line.sizeBytes();
        stateCounts.merge(line.state(), -1, Integer::sum);
    }
}
