package io.sinkron.consensus.raft;

/** The role a node plays in its current term. */
public enum Role {
    FOLLOWER,
    /** Running the PreVote round: asks whether it could win before disturbing anyone's term. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER,
    /** A non-voting member: receives the log, never campaigns, never counts for quorum. */
    LEARNER
}
