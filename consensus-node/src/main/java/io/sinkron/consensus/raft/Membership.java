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
 * A cluster configuration: voters and learners, each with its gRPC address. Membership lives in
 * the log as {@link EntryType#CONFIG} entries; the newest one present in a node's log is in force
 * whether or not it is committed (dissertation §4.1). Iteration order is by node id so that every
 * replica, and every simulation run, sees the same order.
 */
public record Membership(Map<String, String> voters, Map<String, String> learners) {

    public static final Membership EMPTY = new Membership(Map.of(), Map.of());

    public Membership {
        voters = Collections.unmodifiableMap(new TreeMap<>(voters));
        learners = Collections.unmodifiableMap(new TreeMap<>(learners));
        for (String id : learners.keySet()) {
            if (voters.containsKey(id)) {
                throw new IllegalArgumentException(id + " cannot be both voter and learner");
            }
        }
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

    public byte[] encode() {
        var b = Configuration.newBuilder();
        voters.forEach(
                (id, addr) -> b.addVoters(Member.newBuilder().setNodeId(id).setAddress(addr)));
        learners.forEach(
                (id, addr) -> b.addLearners(Member.newBuilder().setNodeId(id).setAddress(addr)));
        return b.build().toByteArray();
    }

    public static Membership decode(byte[] data) {
        try {
            var c = Configuration.parseFrom(data);
            var voters = new TreeMap<String, String>();
            c.getVotersList().forEach(m -> voters.put(m.getNodeId(), m.getAddress()));
            var learners = new TreeMap<String, String>();
            c.getLearnersList().forEach(m -> learners.put(m.getNodeId(), m.getAddress()));
            return new Membership(voters, learners);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt configuration entry", e);
        }
    }
}
