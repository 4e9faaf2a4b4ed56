package io.sinkron.consensus.statemachine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
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
 */
public final class ClientSessions {

    /** What to do with a command. */
    public sealed interface Verdict {
        record Apply() implements Verdict {}

        record Duplicate(byte[] result) implements Verdict {}

        record Expired() implements Verdict {}
    }

    private static final class Session {
        long lastActiveMillis;
        long ackedSequence;
        final TreeMap<Long, byte[]> results = new TreeMap<>();
    }

    private final long ttlMillis;
    private final Map<String, Session> sessions = new HashMap<>();
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
        s.lastActiveMillis = Math.max(s.lastActiveMillis, nowMillis);
        byte[] cached = s.results.get(sequence);
        if (cached != null) {
            return new Verdict.Duplicate(cached);
        }
        if (sequence <= s.ackedSequence) {
            // The client already acknowledged this response, so this is a very late duplicate.
            return new Verdict.Expired();
        }
        return new Verdict.Apply();
    }

    /** Records the result of a newly applied command. */
    public void record(String clientId, long sequence, long ackedSequence, long nowMillis, byte[] result) {
        Session s = sessions.computeIfAbsent(clientId, id -> new Session());
        s.lastActiveMillis = Math.max(s.lastActiveMillis, nowMillis);
        s.results.put(sequence, result);
        if (ackedSequence > s.ackedSequence) {
            s.ackedSequence = ackedSequence;
            s.results.headMap(ackedSequence, true).clear();
        }
    }

    private void sweep(long nowMillis) {
        if (nowMillis < nextSweepMillis) {
            return;
        }
        nextSweepMillis = nowMillis + Math.max(1, ttlMillis / 10);
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            if (it.next().lastActiveMillis + ttlMillis < nowMillis) {
                it.remove();
            }
        }
    }

    public int size() {
        return sessions.size();
    }

    public void snapshot(DataOutputStream out) throws IOException {
        out.writeLong(nextSweepMillis);
        out.writeInt(sessions.size());
        for (var e : new TreeMap<>(sessions).entrySet()) {
            Session s = e.getValue();
            out.writeUTF(e.getKey());
            out.writeLong(s.lastActiveMillis);
            out.writeLong(s.ackedSequence);
            out.writeInt(s.results.size());
            for (var r : s.results.entrySet()) {
                out.writeLong(r.getKey());
                out.writeInt(r.getValue().length);
                out.write(r.getValue());
            }
        }
    }

    public void restore(DataInputStream in) throws IOException {
        sessions.clear();
        nextSweepMillis = in.readLong();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String id = in.readUTF();
            Session s = new Session();
            s.lastActiveMillis = in.readLong();
            s.ackedSequence = in.readLong();
            int results = in.readInt();
            for (int j = 0; j < results; j++) {
                long seq = in.readLong();
                byte[] r = new byte[in.readInt()];
                in.readFully(r);
                s.results.put(seq, r);
            }
            sessions.put(id, s);
        }
    }
}
