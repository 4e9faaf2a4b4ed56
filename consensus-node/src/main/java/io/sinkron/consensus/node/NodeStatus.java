package io.sinkron.consensus.node;

import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.Role;
import java.util.Map;

/**
 * A consistent picture of one Raft group, published by the driver after each loop iteration for
 * status pages, health checks and metrics (which must not touch the core from other threads).
 *
 * @param matchIndexes per member, as known by this node when it leads (empty otherwise)
 */
public record NodeStatus(
        String nodeId,
        Role role,
        long term,
        String leaderId,
        long commitIndex,
        long appliedIndex,
        long lastLogIndex,
        long snapshotIndex,
        Membership membership,
        long configurationIndex,
        Map<String, Long> matchIndexes,
        boolean caughtUp) {

    public boolean isLeader() {
        return role == Role.LEADER;
    }

    public String leaderAddress() {
        return leaderId == null ? null : membership.address(leaderId);
    }
}
