package io.sinkron.consensus.raft;

/** Why the core refused an administrative request, in words for the operator. */
public record Refusal(Kind kind, String message) {

    public enum Kind {
        /** This node does not lead; ask the leader. */
        NOT_LEADER,
        /** Another change or transfer is under way; retry when it is done. */
        IN_PROGRESS,
        /** The named node is not a member (or not of the required kind). */
        NOT_FOUND,
        /** The request would leave the cluster unable to work, or names itself. */
        CONFLICT,
        /** The leader is not ready yet (its term's first entry is not committed); retry shortly. */
        NOT_READY
    }

    static Refusal of(Kind kind, String message) {
        return new Refusal(kind, message);
    }
}
