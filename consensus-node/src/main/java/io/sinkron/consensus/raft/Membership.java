package io.sinkron.consensus.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.proto.Configuration;
import io.sinkron.proto.Member;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A cluster configuration: voters and learners, each with its gRPC address, and the learners the
 * leader should promote once they have caught up. Membership lives in the log as
 * {@link EntryType#CONFIG} entries; the newest one present in a node's log is in force whether or
 * not it is committed (dissertation §4.1). Iteration order is by node id so that every replica,
 * and every simulation run, sees the same order.
 */
public record Membership(Map<String, String> voters, Map<String, String> learners, Set<String> autoPromote) {

    public static final Membership EMPTY = new Membership(Map.of(), Map.of());

    public Membership {
        voters = Collections.unmodifiableMap(new TreeMap<>(voters));
        learners = Collections.unmodifiableMap(new TreeMap<>(learners));
        autoPromote = Collections.unmodifiableSet(new TreeSet<>(autoPromote));
        for (String id : learners.keySet()) {
            if (voters.containsKey(id)) {
                throw new IllegalArgumentException(id + " cannot be both voter and learner");
            }
        }
        if (!learners.keySet().containsAll(autoPromote)) {
            throw new IllegalArgumentException("only learners can be promoted");
        }
    }

    public Membership(Map<String, String> voters, Map<String, String> learners) {
        this(voters, learners, Set.of());
    }

    public boolean isVoter(String id) {
        return voters.containsKey(id);
    }

    public boolean isLearner(String id) {
        return learners.containsKey(id);
    }

    public boolean contains(String id) {
        return isVoter(id) || isLearner(id);
    }

    /** Every member, voters and learners, sorted by id. */
    public Set<String> members() {
        var all = new TreeSet<>(voters.keySet());
        all.addAll(learners.keySet());
        return all;
    }

    public String address(String id) {
        String a = voters.get(id);
        return a != null ? a : learners.get(id);
    }

    /** Every member's address by id. */
    public Map<String, String> addresses() {
        var all = new TreeMap<>(voters);
        all.putAll(learners);
        return all;
    }

    public Membership withLearner(String id, String address, boolean promote) {
        var l = new TreeMap<>(learners);
        l.put(id, address);
        var p = new TreeSet<>(autoPromote);
        if (promote) {
            p.add(id);
        }
        return new Membership(voters, l, p);
    }

    public Membership promoted(String id) {
        var v = new TreeMap<>(voters);
        v.put(id, learners.get(id));
        var l = new TreeMap<>(learners);
        l.remove(id);
        var p = new TreeSet<>(autoPromote);
        p.remove(id);
        return new Membership(v, l, p);
    }

    public Membership without(String id) {
        var v = new TreeMap<>(voters);
        v.remove(id);
        var l = new TreeMap<>(learners);
        l.remove(id);
        var p = new TreeSet<>(autoPromote);
        p.remove(id);
        return new Membership(v, l, p);
    }

    public Configuration toProto() {
        var b = Configuration.newBuilder();
        voters.forEach(
                (id, addr) -> b.addVoters(Member.newBuilder().setNodeId(id).setAddress(addr)));
        learners.forEach((id, addr) -> b.addLearners(
                Member.newBuilder().setNodeId(id).setAddress(addr).setPromoteWhenCaughtUp(autoPromote.contains(id))));
        return b.build();
    }

    public byte[] encode() {
        return toProto().toByteArray();
    }

    public static Membership fromProto(Configuration c) {
        var voters = new TreeMap<String, String>();
        c.getVotersList().forEach(m -> voters.put(m.getNodeId(), m.getAddress()));
        var learners = new TreeMap<String, String>();
        var promote = new TreeSet<String>();
        c.getLearnersList().forEach(m -> {
            learners.put(m.getNodeId(), m.getAddress());
            if (m.getPromoteWhenCaughtUp()) {
                promote.add(m.getNodeId());
            }
        });
        return new Membership(voters, learners, promote);
    }

    public static Membership decode(byte[] data) {
        try {
            return fromProto(Configuration.parseFrom(data));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt configuration entry", e);
        }
    }
}
