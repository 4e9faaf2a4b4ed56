package io.sinkron.consensus.raft;

/**
 * The state Raft must keep on stable storage before answering any RPC (Raft Figure 2): the
 * current term and the vote cast in it. The commit index is kept too so a restarted node can
 * re-apply what it knew was committed without waiting for a leader; it is a hint, not a safety
 * requirement.
 *
 * @param votedFor node id voted for in {@code term}, or {@code null}
 */
public record HardState(long term, String votedFor, long commit) {

    public static final HardState EMPTY = new HardState(0, null, 0);
}
