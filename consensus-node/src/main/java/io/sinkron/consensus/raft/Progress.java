package io.sinkron.consensus.raft;

/**
 * The leader's view of one follower's log (Raft §5.3 nextIndex/matchIndex), with the flow-control
 * state of etcd-io/raft: PROBE sends one AppendEntries at a time until the follower's position is
 * known; REPLICATE streams optimistically up to the inflight window; SNAPSHOT waits for a snapshot
 * to be installed.
 */
final class Progress {

    enum State {
        PROBE,
        REPLICATE,
        SNAPSHOT
    }

    long match;
    long next;
    State state = State.PROBE;
    /** In PROBE, an AppendEntries is outstanding; no further one until a response or heartbeat. */
    boolean probeSent;
    /** Heard from since the last check-quorum round (Raft dissertation §6.2). */
    boolean recentActive;
    /** In SNAPSHOT state: the index of the snapshot being installed. */
    long pendingSnapshot;
    /** Highest ReadIndex heartbeat round this follower has echoed in the current term. */
    long ackedRound;
    /** Heartbeat responses in a row during which match did not move while appends were in flight. */
    int stalledHeartbeats;

    private long matchAtLastHeartbeat;

    final Inflights inflights;

    Progress(long next, int maxInflight, long maxInflightBytes) {
        this.next = next;
        this.inflights = new Inflights(maxInflight, maxInflightBytes);
    }

    void becomeProbe() {
        state = State.PROBE;
        stalledHeartbeats = 0;
        next = match + 1;
        probeSent = false;
        inflights.reset();
    }

    void becomeSnapshot(long snapshotIndex) {
        state = State.SNAPSHOT;
        pendingSnapshot = snapshotIndex;
        probeSent = false;
        stalledHeartbeats = 0;
        inflights.reset();
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        next = match + 1;
        probeSent = false;
        inflights.reset();
    }

    /** Records an acknowledgement; returns whether it moved the match index forward. */
    boolean maybeUpdate(long index) {
        boolean updated = false;
        if (match < index) {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /**
     * Called on each heartbeat response. An AppendEntries lost in REPLICATE state would otherwise
     * leave its inflight slot taken and the follower's gap unnoticed forever, so a follower that
     * answers heartbeats but stops advancing is probed again from its match index.
     */
    void onHeartbeatResponse(long lastIndex) {
        probeSent = false;
        if (state == State.REPLICATE && match < lastIndex && match == matchAtLastHeartbeat && inflights.count() > 0) {
            if (++stalledHeartbeats >= STALL_LIMIT) {
                becomeProbe();
            }
        } else if (state == State.SNAPSHOT) {
            // The driver reports every transfer's outcome; this only guards against a lost report.
            if (++stalledHeartbeats >= SNAPSHOT_STALL_LIMIT) {
                becomeProbe();
            }
        } else {
            stalledHeartbeats = 0;
        }
        matchAtLastHeartbeat = match;
    }

    private static final int STALL_LIMIT = 3;
    private static final int SNAPSHOT_STALL_LIMIT = 600;

    boolean paused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    @Override
    public String toString() {
        return state + "{match=" + match + ", next=" + next + ", inflight=" + inflights.count() + "}";
    }
}
