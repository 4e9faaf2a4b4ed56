package io.sinkron.consensus.statemachine.cache;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.consensus.statemachine.CommandContext;
import io.sinkron.consensus.statemachine.StateMachine;
import io.sinkron.proto.CacheAck;
import io.sinkron.proto.CacheCommand;
import io.sinkron.proto.CacheDirectory;
import io.sinkron.proto.CacheEvent;
import io.sinkron.proto.CacheEvict;
import io.sinkron.proto.CacheFill;
import io.sinkron.proto.CacheFillResult;
import io.sinkron.proto.CacheHolder;
import io.sinkron.proto.CacheInvalidate;
import io.sinkron.proto.CacheKeyVersion;
import io.sinkron.proto.CacheLineRef;
import io.sinkron.proto.CacheLineState;
import io.sinkron.proto.CacheLineStates;
import io.sinkron.proto.CacheQuery;
import io.sinkron.proto.CacheQueryResult;
import io.sinkron.proto.CacheRegister;
import io.sinkron.proto.CacheResult;
import io.sinkron.proto.CacheSessionResult;
import io.sinkron.proto.CacheValue;
import io.sinkron.proto.CacheWrite;
import io.sinkron.proto.CacheWriteApplied;
import io.sinkron.proto.CacheWriteBatch;
import io.sinkron.proto.CacheWriteBatchResult;
import io.sinkron.proto.CacheWriteOutcome;
import io.sinkron.proto.CacheWriteResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The home of every cached key and the directory of the cache-service instances that hold a copy
 * of it ("cache").
 *
 * <h2>Protocol</h2>
 *
 * <ul>
 *   <li>An instance opens a <em>session</em> with a lease ({@code CacheRegister}) and renews it
 *       ({@code CacheKeepAlive}). Leases run in log time, which the leader writes into the log, so
 *       every replica expires a session at the same index ({@link #advanceTime}).
 *   <li>A read miss is a command ({@code CacheFill}): it returns the committed value and registers
 *       the session as a holder. Being a command, the registration is ordered in the log with every
 *       write. The first holder's line is EXCLUSIVE; when a second one registers, every line
 *       becomes SHARED and the others are told so by a {@code CacheLineStates} event.
 *   <li>A write ({@code CacheWrite}, put or delete, optionally compare-and-set on the version) takes
 *       the key's holders out of the directory, emits a {@code CacheInvalidate} event naming them,
 *       and stays <em>pending</em>. Each holder drops its line and acknowledges ({@code CacheAck}).
 *       The write takes effect when the last awaited holder has acknowledged or lost its lease:
 *       only then does the new value become the committed one ({@code CacheWriteApplied} event).
 *       Until then reads return the old value, uncacheable, and other writes of the key are turned
 *       away as BUSY, so every accepted write is certain to take effect and its precondition,
 *       checked on acceptance, still holds when it does.
 *   <li>An instance sends the concurrent writes of its clients, of different keys, as one {@code
 *       CacheWriteBatch}: each is applied in order as a {@code CacheWrite} of its own would be, with
 *       its own result, so one log entry and one client session sequence serve many writes.
 *   <li>The writer's session then holds the new value as MODIFIED. The design is write-through:
 *       the home already has the value, so M is never dirty and nothing is ever written back. M
 *       says that this holder produced the current value and is its only holder; like E it lets the
 *       holder's next write complete in one round trip (no one to invalidate), and unlike E it
 *       records that the line came from a write rather than a read. A read miss elsewhere turns it
 *       SHARED, as a snooped read does in MESI.
 *   <li>Evictions deregister the holder ({@code CacheEvict}); a session that ends (deregistered or
 *       expired) leaves every directory entry and every pending write's wait list.
 *   <li>A TTL runs out in log time; the expiry is a delete by the home itself, with the same
 *       invalidation round, so holders never serve a value that has expired elsewhere.
 * </ul>
 *
 * <h2>Why no instance returns an older value than a completed write</h2>
 *
 * A holder serves a line only while its own lease is valid and it has not dropped the line. A write
 * W of a key takes effect at the log index where its last awaited holder acknowledged (having
 * dropped its line before sending the acknowledgement) or lost its lease. An instance counts its
 * lease from when it <em>sent</em> the keepalive and ends it a safety margin early, whereas the home
 * counts it from the leader's timestamp on the keepalive entry, which is later; so an instance stops
 * serving before the home stops waiting for it, as long as the leaders' clocks agree within the
 * margin. Registrations made while W is pending are not cacheable, and registrations after W took
 * effect see W's value. Hence, once W has taken effect, no line holding an older value is served,
 * and W's writer learns of W only after it has taken effect. The writer's own registrations are
 * voided without waiting only up to the epoch it names in W, i.e. those whose lines it dropped
 * before sending W; a registration of a fill that started later is waited for like any other.
 *
 * <p>All maps are sorted, so results, events and snapshots are identical on every replica.
 */
public final class CacheStateMachine implements StateMachine {

    public static final String NAME = "cache";

    /** The longest lease a session may ask for: an unreachable holder delays writes this long. */
    public static final long MAX_LEASE_MILLIS = 3_600_000;

    private record LeaseDeadline(long atMillis, long session) {}

    private record ValueDeadline(long atMillis, String key) {}

    private final TreeMap<String, KeyHome> keys = new TreeMap<>();
    private final TreeMap<Long, CacheSession> sessions = new TreeMap<>();
    private final TreeSet<LeaseDeadline> leaseDeadlines =
            new TreeSet<>(Comparator.comparingLong(LeaseDeadline::atMillis).thenComparingLong(LeaseDeadline::session));
    private final TreeSet<ValueDeadline> valueDeadlines =
            new TreeSet<>(Comparator.comparingLong(ValueDeadline::atMillis).thenComparing(ValueDeadline::key));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] apply(CommandContext context, byte[] command) {
        CacheCommand cmd;
        try {
            cmd = CacheCommand.parseFrom(command);
        } catch (InvalidProtocolBufferException e) {
            return error("malformed cache command").toByteArray();
        }
        CacheResult result = switch (cmd.getOpCase()) {
            case REGISTER -> register(context, cmd.getRegister());
            case KEEP_ALIVE -> keepAlive(context, cmd.getKeepAlive().getSession());
            case DEREGISTER -> deregister(context, cmd.getDeregister().getSession());
            case FILL -> fill(context, cmd.getFill());
            case WRITE -> write(context, cmd.getWrite());
            case ACK -> ack(context, cmd.getAck());
            case EVICT -> evict(context, cmd.getEvict());
            case WRITE_BATCH -> writeBatch(context, cmd.getWriteBatch());
            case OP_NOT_SET -> error("empty cache command");
        };
        return result.toByteArray();
    }

    /** Ends the sessions whose lease ran out, then starts the expiry of values whose TTL ran out. */
    @Override
    public void advanceTime(CommandContext context) {
        long now = context.timestampMillis();
        while (!leaseDeadlines.isEmpty() && leaseDeadlines.first().atMillis() <= now) {
            endSession(sessions.get(leaseDeadlines.first().session()), context);
        }
        while (!valueDeadlines.isEmpty() && valueDeadlines.first().atMillis() <= now) {
            String key = valueDeadlines.pollFirst().key();
            KeyHome home = keys.get(key);
            // A pending write replaces the value anyway.
            if (home.pending == null) {
                startWrite(context, key, home, 0, 0, true, ByteString.EMPTY, 0);
            }
        }
    }

    private CacheResult register(CommandContext context, CacheRegister register) {
        if (register.getInstanceId().isBlank()) {
            return error("instance_id is required");
        }
        if (register.getLeaseMs() < 1 || register.getLeaseMs() > MAX_LEASE_MILLIS) {
            return error("lease_ms must be in 1.." + MAX_LEASE_MILLIS);
        }
        CacheSession replaced = sessions.get(register.getReplacesSession());
        if (replaced != null && replaced.instanceId.equals(register.getInstanceId())) {
            endSession(replaced, context);
        }
        long lease = register.getLeaseMs();
        var session =
                new CacheSession(context.index(), register.getInstanceId(), lease, context.timestampMillis() + lease);
        sessions.put(session.id, session);
        leaseDeadlines.add(new LeaseDeadline(session.expiresAtMillis, session.id));
        return sessionResult(session.id, session);
    }

    private CacheResult keepAlive(CommandContext context, long id) {
        CacheSession session = sessions.get(id);
        if (session != null) {
            leaseDeadlines.remove(new LeaseDeadline(session.expiresAtMillis, id));
            session.expiresAtMillis = context.timestampMillis() + session.leaseMillis;
            leaseDeadlines.add(new LeaseDeadline(session.expiresAtMillis, id));
        }
        return sessionResult(id, session);
    }

    private CacheResult deregister(CommandContext context, long id) {
        CacheSession session = sessions.get(id);
        if (session != null) {
            endSession(session, context);
        }
        return sessionResult(id, null);
    }

    private static CacheResult sessionResult(long id, CacheSession session) {
        var result = CacheSessionResult.newBuilder().setSession(id).setAlive(session != null);
        if (session != null) {
            session.owed.forEach((key, version) -> result.addOwed(keyVersion(key, version)));
        }
        return CacheResult.newBuilder().setSession(result).build();
    }

    private CacheResult fill(CommandContext context, CacheFill fill) {
        String key = fill.getKey();
        if (key.isEmpty()) {
            return error("key is required");
        }
        KeyHome home = keys.get(key);
        var result = CacheFillResult.newBuilder();
        if (home == null || home.value == null) {
            return CacheResult.newBuilder().setFill(result.setFound(false)).build();
        }
        result.setFound(true).setValue(home.value.value()).setVersion(home.value.version());
        CacheSession session = sessions.get(fill.getSession());
        if (session != null && home.pending == null) {
            result.setCacheable(true).setState(registerHolder(context, key, home, session, fill.getEpoch()));
        }
        return CacheResult.newBuilder().setFill(result).build();
    }

    private CacheLineState registerHolder(
            CommandContext context, String key, KeyHome home, CacheSession session, long epoch) {
        Holder existing = home.holders.get(session.id);
        long newEpoch = existing == null ? epoch : Math.max(epoch, existing.epoch());
        session.heldKeys.add(key);
        if (home.holders.size() == (existing == null ? 0 : 1)) {
            home.holders.put(session.id, new Holder(session.id, CacheLineState.CACHE_LINE_STATE_EXCLUSIVE, newEpoch));
            return CacheLineState.CACHE_LINE_STATE_EXCLUSIVE;
        }
        List<Holder> downgraded = new ArrayList<>();
        for (Map.Entry<Long, Holder> entry : home.holders.entrySet()) {
            Holder holder = entry.getValue();
            if (holder.session() != session.id && holder.state() != CacheLineState.CACHE_LINE_STATE_SHARED) {
                entry.setValue(holder.withState(CacheLineState.CACHE_LINE_STATE_SHARED));
                downgraded.add(entry.getValue());
            }
        }
        home.holders.put(session.id, new Holder(session.id, CacheLineState.CACHE_LINE_STATE_SHARED, newEpoch));
        announceStates(context, key, home, downgraded);
        return CacheLineState.CACHE_LINE_STATE_SHARED;
    }

    private CacheResult write(CommandContext context, CacheWrite write) {
        String key = write.getKey();
        if (key.isEmpty()) {
            return error("key is required");
        }
        KeyHome home = keys.get(key);
        if (home != null && home.pending != null) {
            return writeResult(CacheWriteOutcome.CACHE_WRITE_OUTCOME_BUSY, home.pending.version(), List.of());
        }
        CachedValue current = home == null ? null : home.value;
        boolean versionMismatch =
                write.hasExpectedVersion() && (current == null || current.version() != write.getExpectedVersion());
        if (versionMismatch || (write.getRequireExists() && current == null)) {
            return writeResult(
                    CacheWriteOutcome.CACHE_WRITE_OUTCOME_VERSION_MISMATCH,
                    current == null ? 0 : current.version(),
                    List.of());
        }
        if (write.getDelete() && current == null) {
            return writeResult(CacheWriteOutcome.CACHE_WRITE_OUTCOME_NOT_FOUND, 0, List.of());
        }
        if (home == null) {
            home = new KeyHome();
            keys.put(key, home);
        }
        return startWrite(
                context,
                key,
                home,
                write.getSession(),
                write.getEpoch(),
                write.getDelete(),
                write.getValue(),
                write.getTtlMs());
    }

    /**
     * The writes of one instance's concurrent clients, applied in order, each exactly as a {@code
     * CacheWrite} command of its own at this index would be, with its own result. All of them get
     * this index as their version, which is why no two may name the same key: the batch is then
     * refused whole, before anything changed.
     */
    private CacheResult writeBatch(CommandContext context, CacheWriteBatch batch) {
        if (batch.getWritesCount() == 0) {
            return error("empty write batch");
        }
        Set<String> keysInBatch = new HashSet<>();
        for (CacheWrite write : batch.getWritesList()) {
            if (!keysInBatch.add(write.getKey())) {
                return error("key " + write.getKey() + " is written twice in one batch");
            }
        }
        var results = CacheWriteBatchResult.newBuilder();
        for (CacheWrite write : batch.getWritesList()) {
            results.addResults(write(context, write));
        }
        return CacheResult.newBuilder().setWriteBatch(results).build();
    }

    /**
     * Moves every holder of {@code key} to the new write's wait list (except the writer's own
     * registrations it has voided) and applies the write at once if that list is empty.
     */
    private CacheResult startWrite(
            CommandContext context,
            String key,
            KeyHome home,
            long writer,
            long writerEpoch,
            boolean delete,
            ByteString value,
            long ttlMillis) {
        long version = context.index();
        TreeSet<Long> awaiting = new TreeSet<>();
        CacheSession voidedWriter = null;
        for (Holder holder : home.holders.values()) {
            CacheSession session = sessions.get(holder.session());
            if (holder.session() != writer || holder.epoch() > writerEpoch) {
                session.heldKeys.remove(key);
                awaiting.add(holder.session());
                session.owed.put(key, version);
            } else {
                voidedWriter = session;
            }
        }
        home.holders.clear();
        home.pending = new PendingWrite(version, writer, writerEpoch, delete, value, ttlMillis, awaiting);
        if (awaiting.isEmpty()) {
            // Nobody can be waiting for a write that was never pending, so no "applied" event: on
            // the common path (no other holder) a write then costs its subscribers nothing.
            applyPending(context, key, home, false);
            forgetVoided(voidedWriter, key, home);
            return writeResult(CacheWriteOutcome.CACHE_WRITE_OUTCOME_APPLIED, version, List.of());
        }
        forgetVoided(voidedWriter, key, home);
        emit(
                context,
                CacheEvent.newBuilder()
                        .setInvalidate(CacheInvalidate.newBuilder()
                                .setKey(key)
                                .setVersion(version)
                                .addAllSessions(awaiting))
                        .build());
        return writeResult(CacheWriteOutcome.CACHE_WRITE_OUTCOME_PENDING, version, awaiting);
    }

    /**
     * The writer's own registration of {@code key}, voided by its write, leaves the session's held
     * keys unless the write re-registered the session as the holder. Done after the write rather
     * than before, so that a writer rewriting its MODIFIED line, the common case, does not take the
     * key out of its (sorted, often large) set of held keys only to put it back.
     */
    private static void forgetVoided(CacheSession voidedWriter, String key, KeyHome home) {
        if (voidedWriter != null && !home.holders.containsKey(voidedWriter.id)) {
            voidedWriter.heldKeys.remove(key);
        }
    }

    /** The pending write of {@code key} takes effect: nobody holds an older value any more. */
    private void applyPending(CommandContext context, String key, KeyHome home) {
        applyPending(context, key, home, true);
    }

    /**
     * @param announce whether to emit the "applied" event that writers waiting for the write (its
     *     own, or one turned away as BUSY) watch for
     */
    private void applyPending(CommandContext context, String key, KeyHome home, boolean announce) {
        PendingWrite write = home.pending;
        home.pending = null;
        if (home.value != null && home.value.expiresAtMillis() > 0) {
            valueDeadlines.remove(new ValueDeadline(home.value.expiresAtMillis(), key));
        }
        if (write.delete()) {
            home.value = null;
        } else {
            long expiresAt = expiresAt(context.timestampMillis(), write.ttlMillis());
            home.value = new CachedValue(write.value(), write.version(), expiresAt);
            if (expiresAt > 0) {
                valueDeadlines.add(new ValueDeadline(expiresAt, key));
            }
            CacheSession writer = sessions.get(write.writerSession());
            if (writer != null) {
                home.holders.put(
                        writer.id,
                        new Holder(writer.id, CacheLineState.CACHE_LINE_STATE_MODIFIED, write.writerEpoch()));
                writer.heldKeys.add(key);
            }
        }
        if (home.isEmpty()) {
            keys.remove(key);
        }
        if (!announce) {
            return;
        }
        emit(
                context,
                CacheEvent.newBuilder()
                        .setApplied(CacheWriteApplied.newBuilder()
                                .setKey(key)
                                .setVersion(write.version())
                                .setDeleted(write.delete()))
                        .build());
    }

    private CacheResult ack(CommandContext context, CacheAck ack) {
        CacheSession session = sessions.get(ack.getSession());
        for (CacheKeyVersion invalidation : ack.getInvalidationsList()) {
            KeyHome home = keys.get(invalidation.getKey());
            if (home == null || home.pending == null || home.pending.version() != invalidation.getVersion()) {
                continue;
            }
            if (home.pending.awaiting().remove(ack.getSession())) {
                if (session != null) {
                    session.owed.remove(invalidation.getKey());
                }
                if (home.pending.awaiting().isEmpty()) {
                    applyPending(context, invalidation.getKey(), home);
                }
            }
        }
        return CacheResult.getDefaultInstance();
    }

    private CacheResult evict(CommandContext context, CacheEvict evict) {
        CacheSession session = sessions.get(evict.getSession());
        if (session == null) {
            return CacheResult.getDefaultInstance();
        }
        for (CacheLineRef line : evict.getLinesList()) {
            KeyHome home = keys.get(line.getKey());
            Holder holder = home == null ? null : home.holders.get(session.id);
            // A registration newer than the evicted line belongs to a fill that raced the eviction.
            if (holder != null && holder.epoch() <= line.getEpoch()) {
                home.holders.remove(session.id);
                session.heldKeys.remove(line.getKey());
                holderLeft(context, line.getKey(), home);
            }
        }
        return CacheResult.getDefaultInstance();
    }

    private void endSession(CacheSession session, CommandContext context) {
        // Removed first, so a write it completes below does not register it as the new holder.
        sessions.remove(session.id);
        leaseDeadlines.remove(new LeaseDeadline(session.expiresAtMillis, session.id));
        for (String key : session.heldKeys) {
            KeyHome home = keys.get(key);
            home.holders.remove(session.id);
            holderLeft(context, key, home);
        }
        for (Map.Entry<String, Long> owed : session.owed.entrySet()) {
            KeyHome home = keys.get(owed.getKey());
            home.pending.awaiting().remove(session.id);
            if (home.pending.awaiting().isEmpty()) {
                applyPending(context, owed.getKey(), home);
            }
        }
    }

    /** A sole remaining SHARED holder is the only one again: EXCLUSIVE. */
    private void holderLeft(CommandContext context, String key, KeyHome home) {
        if (home.holders.size() == 1) {
            Holder last = home.holders.firstEntry().getValue();
            if (last.state() == CacheLineState.CACHE_LINE_STATE_SHARED) {
                Holder upgraded = last.withState(CacheLineState.CACHE_LINE_STATE_EXCLUSIVE);
                home.holders.put(last.session(), upgraded);
                announceStates(context, key, home, List.of(upgraded));
            }
        }
    }

    private void announceStates(CommandContext context, String key, KeyHome home, List<Holder> changed) {
        if (changed.isEmpty()) {
            return;
        }
        var states = CacheLineStates.newBuilder().setKey(key).setVersion(home.value.version());
        changed.forEach(holder -> states.addHolders(holderView(holder)));
        emit(context, CacheEvent.newBuilder().setLineStates(states).build());
    }

    private CacheHolder holderView(Holder holder) {
        return CacheHolder.newBuilder()
                .setSession(holder.session())
                .setInstanceId(sessions.get(holder.session()).instanceId)
                .setState(holder.state())
                .build();
    }

    @Override
    public byte[] query(byte[] query) {
        CacheQuery q;
        try {
            q = CacheQuery.parseFrom(query);
        } catch (InvalidProtocolBufferException e) {
            return queryError("malformed cache query");
        }
        CacheQueryResult result = switch (q.getQueryCase()) {
            case GET ->
                CacheQueryResult.newBuilder().setValue(value(q.getGet())).build();
            case DIRECTORY ->
                CacheQueryResult.newBuilder()
                        .setDirectory(directory(q.getDirectory()))
                        .build();
            case WRITE_STATUS -> {
                KeyHome home = keys.get(q.getWriteStatus().getKey());
                boolean pending = home != null
                        && home.pending != null
                        && home.pending.version() == q.getWriteStatus().getVersion();
                yield CacheQueryResult.newBuilder().setWriteApplied(!pending).build();
            }
            case QUERY_NOT_SET ->
                CacheQueryResult.newBuilder().setError("empty cache query").build();
        };
        return result.toByteArray();
    }

    private CacheValue value(String key) {
        KeyHome home = keys.get(key);
        var value = CacheValue.newBuilder();
        if (home != null) {
            if (home.value != null) {
                value.setFound(true).setValue(home.value.value()).setVersion(home.value.version());
            }
            if (home.pending != null) {
                value.setPendingVersion(home.pending.version());
            }
        }
        return value.build();
    }

    private CacheDirectory directory(String key) {
        KeyHome home = keys.get(key);
        var directory = CacheDirectory.newBuilder();
        if (home != null) {
            if (home.value != null) {
                directory.setFound(true).setVersion(home.value.version());
            }
            home.holders.values().forEach(holder -> directory.addHolders(holderView(holder)));
            if (home.pending != null) {
                directory.setPendingVersion(home.pending.version()).addAllAwaiting(home.pending.awaiting());
            }
        }
        return directory.build();
    }

    /** How many sessions are open; for tests and metrics. */
    public int sessionCount() {
        return sessions.size();
    }

    @Override
    public void snapshot(DataOutputStream out) throws IOException {
        out.writeInt(sessions.size());
        for (CacheSession session : sessions.values()) {
            out.writeLong(session.id);
            writeString(out, session.instanceId);
            out.writeLong(session.leaseMillis);
            out.writeLong(session.expiresAtMillis);
        }
        out.writeInt(keys.size());
        for (Map.Entry<String, KeyHome> entry : keys.entrySet()) {
            writeString(out, entry.getKey());
            KeyHome home = entry.getValue();
            out.writeBoolean(home.value != null);
            if (home.value != null) {
                writeBytes(out, home.value.value());
                out.writeLong(home.value.version());
                out.writeLong(home.value.expiresAtMillis());
            }
            out.writeInt(home.holders.size());
            for (Holder holder : home.holders.values()) {
                out.writeLong(holder.session());
                out.writeInt(holder.state().getNumber());
                out.writeLong(holder.epoch());
            }
            PendingWrite pending = home.pending;
            out.writeBoolean(pending != null);
            if (pending != null) {
                out.writeLong(pending.version());
                out.writeLong(pending.writerSession());
                out.writeLong(pending.writerEpoch());
                out.writeBoolean(pending.delete());
                writeBytes(out, pending.value());
                out.writeLong(pending.ttlMillis());
                out.writeInt(pending.awaiting().size());
                for (long session : pending.awaiting()) {
                    out.writeLong(session);
                }
            }
        }
    }

    /**
     * Replaces the state with a snapshot's. The reverse indexes (held keys, owed acknowledgements,
     * deadlines) are derived from the directory rather than stored.
     */
    @Override
    public void restore(DataInputStream in) throws IOException {
        keys.clear();
        sessions.clear();
        leaseDeadlines.clear();
        valueDeadlines.clear();
        int sessionCount = in.readInt();
        for (int i = 0; i < sessionCount; i++) {
            var session = new CacheSession(in.readLong(), readString(in), in.readLong(), in.readLong());
            sessions.put(session.id, session);
            leaseDeadlines.add(new LeaseDeadline(session.expiresAtMillis, session.id));
        }
        int keyCount = in.readInt();
        for (int i = 0; i < keyCount; i++) {
            String key = readString(in);
            var home = new KeyHome();
            if (in.readBoolean()) {
                home.value = new CachedValue(readBytes(in), in.readLong(), in.readLong());
                if (home.value.expiresAtMillis() > 0) {
                    valueDeadlines.add(new ValueDeadline(home.value.expiresAtMillis(), key));
                }
            }
            int holderCount = in.readInt();
            for (int h = 0; h < holderCount; h++) {
                var holder = new Holder(in.readLong(), CacheLineState.forNumber(in.readInt()), in.readLong());
                home.holders.put(holder.session(), holder);
                session(holder.session()).heldKeys.add(key);
            }
            if (in.readBoolean()) {
                long version = in.readLong();
                long writer = in.readLong();
                long writerEpoch = in.readLong();
                boolean delete = in.readBoolean();
                ByteString value = readBytes(in);
                long ttl = in.readLong();
                TreeSet<Long> awaiting = new TreeSet<>();
                int awaitingCount = in.readInt();
                for (int a = 0; a < awaitingCount; a++) {
                    long session = in.readLong();
                    awaiting.add(session);
                    session(session).owed.put(key, version);
                }
                home.pending = new PendingWrite(version, writer, writerEpoch, delete, value, ttl, awaiting);
                // An expiry in progress had its deadline consumed when it started; a value with a
                // pending write loses its deadline either way once the write applies.
                if (home.value != null && home.value.expiresAtMillis() > 0) {
                    valueDeadlines.remove(new ValueDeadline(home.value.expiresAtMillis(), key));
                }
            }
            keys.put(key, home);
        }
    }

    private CacheSession session(long id) throws IOException {
        CacheSession session = sessions.get(id);
        if (session == null) {
            throw new IOException("cache snapshot names unknown session " + id);
        }
        return session;
    }

    private static void emit(CommandContext context, CacheEvent event) {
        context.events().emit(NAME, context.index(), event.toByteArray());
    }

    private static CacheResult writeResult(CacheWriteOutcome outcome, long version, Iterable<Long> awaiting) {
        return CacheResult.newBuilder()
                .setWrite(CacheWriteResult.newBuilder()
                        .setOutcome(outcome)
                        .setVersion(version)
                        .addAllAwaiting(awaiting))
                .build();
    }

    private static CacheKeyVersion keyVersion(String key, long version) {
        return CacheKeyVersion.newBuilder().setKey(key).setVersion(version).build();
    }

    private static CacheResult error(String message) {
        return CacheResult.newBuilder().setError(message).build();
    }

    private static byte[] queryError(String message) {
        return CacheQueryResult.newBuilder().setError(message).build().toByteArray();
    }

    /** 0 for no TTL; a TTL beyond the range of log time (unsigned on the wire) never runs out. */
    private static long expiresAt(long nowMillis, long ttlMillis) {
        if (ttlMillis == 0) {
            return 0;
        }
        if (ttlMillis < 0 || nowMillis > Long.MAX_VALUE - ttlMillis) {
            return Long.MAX_VALUE;
        }
        return nowMillis + ttlMillis;
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, ByteString value) throws IOException {
        out.writeInt(value.size());
        value.writeTo(out);
    }

    private static ByteString readBytes(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return ByteString.copyFrom(bytes);
    }
}
