package io.sinkron.consensus.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's in-memory copy of the log, with the positions the driver cares about: how far it has
 * been handed to storage ({@code persisting}), how far storage reported it durable
 * ({@code stable}), and how far it is committed and applied.
 *
 * <p>Index 0 is the empty prefix with term 0; real entries start at 1 (or after a snapshot).
 */
final class RaftLog {

    private final ArrayList<Entry> entries = new ArrayList<>();
    /** Index and term of the last entry compacted away (0, 0 until snapshots exist). */
    private long snapshotIndex;

    private long snapshotTerm;
    /** Entries up to here are on stable storage. */
    private long stable;
    /** Entries up to here were handed to storage (durable or still being written). */
    private long persisting;
    /**
     * Bumped whenever entries already handed to storage are discarded (a conflicting append, a
     * snapshot replacing the log): a durability report from an older generation may describe
     * entries that no longer exist, even if a later entry has the same index and term.
     */
    private long generation;

    private long committed;
    private long applied;

    RaftLog(List<Entry> persisted, long snapshotIndex, long snapshotTerm) {
        this.snapshotIndex = snapshotIndex;
        this.snapshotTerm = snapshotTerm;
        long expected = snapshotIndex + 1;
        for (Entry e : persisted) {
            if (e.index() != expected) {
                throw new IllegalArgumentException("log not contiguous at " + e.index() + ", expected " + expected);
            }
            entries.add(e);
            expected++;
        }
        this.stable = lastIndex();
        this.persisting = stable;
        this.committed = snapshotIndex;
        this.applied = snapshotIndex;
    }

    long snapshotIndex() {
        return snapshotIndex;
    }

    /**
     * Drops entries up to {@code index} (they are covered by a snapshot). Only applied entries may
     * be compacted.
     */
    void compact(long index) {
        if (index <= snapshotIndex) {
            return;
        }
        if (index > applied) {
            throw new IllegalStateException("cannot compact " + index + " beyond applied " + applied);
        }
        long term = term(index);
        entries.subList(0, (int) (index - snapshotIndex)).clear();
        snapshotIndex = index;
        snapshotTerm = term;
    }

    /** Replaces the whole log with a snapshot's position (the follower side of InstallSnapshot). */
    void restore(long index, long term) {
        entries.clear();
        snapshotIndex = index;
        snapshotTerm = term;
        committed = index;
        applied = index;
        stable = index;
        persisting = index;
        generation++;
    }

    long firstIndex() {
        return snapshotIndex + 1;
    }

    long lastIndex() {
        return snapshotIndex + entries.size();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    long committed() {
        return committed;
    }

    long applied() {
        return applied;
    }

    long stable() {
        return stable;
    }

    long persisting() {
        return persisting;
    }

    long generation() {
        return generation;
    }

    /** Term of the entry at {@code index}, or -1 when the log does not hold it (or compacted it). */
    long term(long index) {
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        if (index < snapshotIndex || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - snapshotIndex - 1)).term();
    }

    Entry entry(long index) {
        return entries.get((int) (index - snapshotIndex - 1));
    }

    boolean matchTerm(long index, long term) {
        return term(index) == term;
    }

    /** Raft §5.4.1: a candidate's log is at least as up to date as ours. */
    boolean isUpToDate(long lastIndex, long lastTerm) {
        return lastTerm > lastTerm() || (lastTerm == lastTerm() && lastIndex >= lastIndex());
    }

    /**
     * Appends {@code newEntries}, first dropping any entries at or after the first new index. Callers
     * guarantee the truncated part is not committed.
     */
    void append(List<Entry> newEntries) {
        if (newEntries.isEmpty()) {
            return;
        }
        long first = newEntries.getFirst().index();
        if (first > lastIndex() + 1 || first <= committed) {
            throw new IllegalStateException(
                    "append at " + first + " with last " + lastIndex() + " and commit " + committed);
        }
        truncateFrom(first);
        entries.addAll(newEntries);
    }

    private void truncateFrom(long first) {
        int keep = (int) (first - snapshotIndex - 1);
        if (keep < entries.size()) {
            entries.subList(keep, entries.size()).clear();
        }
        stable = Math.min(stable, first - 1);
        if (persisting >= first) {
            persisting = first - 1;
            generation++;
        }
    }

    /**
     * The follower side of AppendEntries (Raft §5.3): if our log has {@code prevTerm} at
     * {@code prevIndex}, skips entries we already have, truncates at the first conflict, appends the
     * rest and returns the index of the last new entry; returns -1 when the consistency check fails.
     */
    long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> newEntries) {
        if (!matchTerm(prevIndex, prevTerm)) {
            return -1;
        }
        long lastNew = prevIndex + newEntries.size();
        int conflict = firstConflict(newEntries);
        if (conflict >= 0) {
            long conflictIndex = newEntries.get(conflict).index();
            if (conflictIndex <= committed) {
                throw new IllegalStateException(
                        "entry " + conflictIndex + " conflicts with committed log (commit " + committed + ")");
            }
            append(newEntries.subList(conflict, newEntries.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    /** Position in {@code newEntries} of the first entry we lack or hold with another term, or -1. */
    private int firstConflict(List<Entry> newEntries) {
        for (int i = 0; i < newEntries.size(); i++) {
            Entry e = newEntries.get(i);
            if (e.index() <= snapshotIndex) {
                continue;
            }
            if (!matchTerm(e.index(), e.term())) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Fast backtracking hint for a failed consistency check at {@code index} (dissertation §5.3):
     * the term we hold there and the first index we hold with that term, or our last index + 1 and
     * term 0 when our log is shorter.
     */
    long[] conflictHint(long index) {
        if (index > lastIndex()) {
            return new long[] {lastIndex() + 1, 0};
        }
        long t = term(index);
        long first = index;
        while (first - 1 > snapshotIndex && term(first - 1) == t) {
            first--;
        }
        return new long[] {first, t};
    }

    /** Last index at or below {@code from} whose term is {@code term}, or -1. */
    long lastIndexOfTerm(long term, long from) {
        for (long i = Math.min(from, lastIndex()); i > snapshotIndex; i--) {
            long t = term(i);
            if (t == term) {
                return i;
            }
            if (t < term) {
                return -1;
            }
        }
        return -1;
    }

    void commitTo(long index) {
        if (index > committed) {
            if (index > lastIndex()) {
                throw new IllegalStateException("commit " + index + " beyond last index " + lastIndex());
            }
            committed = index;
        }
    }

    /** Entries in [{@code lo}, {@code hi}] up to {@code maxBytes} (always at least one). */
    List<Entry> slice(long lo, long hi, long maxBytes) {
        var out = new ArrayList<Entry>();
        long size = 0;
        for (long i = lo; i <= hi; i++) {
            Entry e = entry(i);
            size += e.sizeBytes();
            if (!out.isEmpty() && size > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** Entries not yet handed to storage; they count as being persisted from now on. */
    List<Entry> takeUnpersisted() {
        if (persisting >= lastIndex()) {
            return List.of();
        }
        var out = List.copyOf(entries.subList((int) (persisting - snapshotIndex), entries.size()));
        persisting = lastIndex();
        return out;
    }

    List<Entry> committedUnapplied() {
        if (applied >= committed) {
            return List.of();
        }
        return List.copyOf(entries.subList((int) (applied - snapshotIndex), (int) (committed - snapshotIndex)));
    }

    /**
     * Storage reports everything handed to it up to {@code index} durable. Ignored when the entries
     * it wrote were discarded meanwhile ({@code generation} is stale); the write of their
     * replacements will report in turn.
     */
    void stableTo(long index, long term, long generation) {
        if (generation == this.generation && matchTerm(index, term) && index > stable) {
            stable = Math.min(index, persisting);
        }
    }

    void appliedTo(long index) {
        if (index > applied) {
            applied = index;
        }
    }

    /** The newest CONFIG entry in the log, or null. */
    Entry lastConfigEntry() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).type() == EntryType.CONFIG) {
                return entries.get(i);
            }
        }
        return null;
    }
}
