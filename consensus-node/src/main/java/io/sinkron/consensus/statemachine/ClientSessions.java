package io.sinkron.consensus.statemachine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exactly-once client sessions (Raft dissertation §6.3), part of the replicated state.
 *
 * <p>Every command carries {@code (client_id, sequence)}. The first time a sequence is applied its
 * result is stored; a retry of the same sequence gets the stored result and is not applied again.
 * The client also reports {@code acked_sequence}, the highest sequence below which it has every
 * response, so the stored results it will never ask for again are dropped.
 *
 * <p>Sessions expire deterministically: a session unused for {@code ttlMillis} of log time (the
 * leader's timestamps in the log, identical on every replica) is removed by the same log entry on
 * every node. A command for an unknown session that claims to have acknowledged earlier
 * responses ({@code acked_sequence > 0}) must belong to an expired session and is refused, since
 * its earlier commands may have been applied and their results are gone.
 *
 * <p>The sessions and each session's stored results are persistent maps of immutable sessions, so
 * {@link #capture()} is O(1) and the captured state is written later on another thread.
 */
public final class ClientSessions {

    /** What to do with a command. */
    public sealed interface Verdict {
        record Apply() implements Verdict {}

        record Duplicate(byte[] result) implements Verdict {}

        record Expired() implements Verdict {}
    }

    /** Immutable; an update makes a new session sharing the unchanged results. */
    private record Session(long lastActiveMillis, long ackedSequence, PersistentMap<Long, byte[]> results) {

        static final Session NEW = new Session(0, 0, PersistentMap.empty());

        Session activeAt(long nowMillis) {
            return nowMillis > lastActiveMillis ? new Session(nowMillis, ackedSequence, results) : this;
        }

        /**
         * Drops the results up to {@code acked}, in O(min(dropped sequences, stored results)): each
         * sequence of a well-behaved client is dropped once, and a client that jumps far ahead costs
         * one pass over what it has stored.
         */
        Session acknowledging(long acked) {
            if (acked <= ackedSequence) {
                return this;
            }
            PersistentMap<Long, byte[]> kept = results;
            if (acked - ackedSequence <= results.size()) {
                for (long seq = ackedSequence + 1; seq <= acked; seq++) {
                    kept = kept.remove(seq);
                }
            } else {
                List<Long> dropped = new ArrayList<>();
                results.forEach((seq, result) -> {
                    if (seq <= acked) {
                        dropped.add(seq);
                    }
                });
                for (long seq : dropped) {
                    kept = kept.remove(seq);
                }
            }
            return new Session(lastActiveMillis, acked, kept);
        }
    }

    private final long ttlMillis;
    private PersistentMap<String, Session> sessions = PersistentMap.empty();
    private long nextSweepMillis;

    public ClientSessions(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    /** Decides whether the command is new, a duplicate, or from an expired session. */
    public Verdict check(String clientId, long sequence, long ackedSequence, long nowMillis) {
        sweep(nowMillis);
        Session s = sessions.get(clientId);
        if (s == null) {
            return ackedSequence > 0 ? new Verdict.Expired() : new Verdict.Apply();
        }
        Session active = s.activeAt(nowMillis);
        if (active != s) {
            sessions = sessions.put(clientId, active);
        }
        byte[] cached = active.results().get(sequence);
        if (cached != null) {
            return new Verdict.Duplicate(cached);
        }
        if (sequence <= active.ackedSequence()) {
            // The client already acknowledged this response, so this is a very late duplicate.
            return new Verdict.Expired();
        }
        return new Verdict.Apply();
    }

    /** Records the result of a newly applied command. */
    public void record(String clientId, long sequence, long ackedSequence, long nowMillis, byte[] result) {
        Session s = sessions.get(clientId);
        s = (s == null ? Session.NEW : s).activeAt(nowMillis);
        s = new Session(s.lastActiveMillis(), s.ackedSequence(), s.results().put(sequence, result));
        // Acknowledged results go, the one just stored included if the client already acknowledged it.
        sessions = sessions.put(clientId, s.acknowledging(ackedSequence));
    }

    private void sweep(long nowMillis) {
        if (nowMillis < nextSweepMillis) {
            return;
        }
        nextSweepMillis = nowMillis + Math.max(1, ttlMillis / 10);
        List<String> expired = new ArrayList<>();
        sessions.forEach((id, s) -> {
            if (s.lastActiveMillis() + ttlMillis < nowMillis) {
                expired.add(id);
            }
        });
        for (String id : expired) {
            sessions = sessions.remove(id);
        }
    }

    public int size() {
        return sessions.size();
    }

    public void snapshot(DataOutputStream out) throws IOException {
        capture().writeTo(out);
    }

    /**
     * Captures the sessions in O(1); the writer, run later on any thread, writes what {@link
     * #snapshot} wrote at the time of this call.
     */
    public StateMachine.SnapshotWriter capture() {
        long sweepAt = nextSweepMillis;
        PersistentMap<String, Session> captured = sessions;
        return out -> write(sweepAt, captured, out);
    }

    private static void write(long nextSweepMillis, PersistentMap<String, Session> sessions, DataOutputStream out)
            throws IOException {
        out.writeLong(nextSweepMillis);
        out.writeInt(sessions.size());
        // Sorted, so replicas with the same sessions write the same bytes.
        var sorted = new TreeMap<String, Session>();
        sessions.forEach(sorted::put);
        for (Map.Entry<String, Session> e : sorted.entrySet()) {
            Session s = e.getValue();
            out.writeUTF(e.getKey());
            out.writeLong(s.lastActiveMillis());
            out.writeLong(s.ackedSequence());
            var results = new TreeMap<Long, byte[]>();
            s.results().forEach(results::put);
            out.writeInt(results.size());
            for (var r : results.entrySet()) {
                out.writeLong(r.getKey());
                out.writeInt(r.getValue().length);
                out.write(r.getValue());
            }
        }
    }

    public void restore(DataInputStream in) throws IOException {
        PersistentMap<String, Session> restored = PersistentMap.empty();
        long sweepAt = in.readLong();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String id = in.readUTF();
            long lastActive = in.readLong();
            long acked = in.readLong();
            int resultCount = in.readInt();
            PersistentMap<Long, byte[]> results = PersistentMap.empty();
            for (int j = 0; j < resultCount; j++) {
                long seq = in.readLong();
                byte[] r = new byte[in.readInt()];
                in.readFully(r);
                results = results.put(seq, r);
            }
            restored = restored.put(id, new Session(lastActive, acked, results));
        }
        sessions = restored;
        nextSweepMillis = sweepAt;
    }
}
