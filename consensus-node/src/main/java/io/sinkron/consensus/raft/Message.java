package io.sinkron.consensus.raft;

import java.util.List;

/**
 * The messages Raft nodes exchange. A request and its response are two one-way messages (as in
 * etcd-io/raft), so the transport can pipeline freely; every message carries the sender's term.
 */
public sealed interface Message {

    String from();

    String to();

    long term();

    /** RequestVote (Raft §5.2) or, with {@code preVote}, the PreVote round (dissertation §9.6). */
    record VoteRequest(
            String from, String to, long term, boolean preVote, long lastLogIndex, long lastLogTerm, boolean transfer)
            implements Message {

        public VoteRequest(String from, String to, long term, boolean preVote, long lastLogIndex, long lastLogTerm) {
            this(from, to, term, preVote, lastLogIndex, lastLogTerm, false);
        }
    }

    record VoteResponse(String from, String to, long term, boolean preVote, boolean granted) implements Message {}

    /**
     * AppendEntries (Raft §5.3). A {@code commitNotice} carries no entries and goes to a follower
     * the leader replicates to, only to tell it a new commit index: a follower whose log matches
     * does not answer it, since the answer would tell the leader nothing it does not know. That
     * spares two messages per committed entry on each follower; liveness and read rounds go by
     * heartbeats, and a follower whose log does not match still answers with its rejection.
     */
    record AppendRequest(
            String from,
            String to,
            long term,
            long prevLogIndex,
            long prevLogTerm,
            List<Entry> entries,
            long leaderCommit,
            boolean commitNotice)
            implements Message {

        public AppendRequest {
            entries = List.copyOf(entries);
            if (commitNotice && !entries.isEmpty()) {
                throw new IllegalArgumentException("a commit notice carries no entries");
            }
        }

        public AppendRequest(
                String from,
                String to,
                long term,
                long prevLogIndex,
                long prevLogTerm,
                List<Entry> entries,
                long leaderCommit) {
            this(from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit, false);
        }
    }

    /**
     * Answer to {@link AppendRequest}. On success {@code matchIndex} is the last index the follower
     * holds durably; on rejection {@code rejectedIndex} is the request's prevLogIndex and
     * {@code conflictIndex}/{@code conflictTerm} let the leader skip a whole term at a time.
     */
    record AppendResponse(
            String from,
            String to,
            long term,
            boolean success,
            long matchIndex,
            long rejectedIndex,
            long conflictIndex,
            long conflictTerm)
            implements Message {}

    /** A heartbeat carries a commit index bounded by the follower's match and a ReadIndex round. */
    record HeartbeatRequest(String from, String to, long term, long leaderCommit, long round) implements Message {}

    record HeartbeatResponse(String from, String to, long term, long round) implements Message {}

    /**
     * InstallSnapshot (Raft §7): the follower's next entry was compacted away. Only the metadata
     * passes through the core; the driver streams the data and delivers this message to the
     * receiving core once the data is stored.
     */
    record SnapshotRequest(String from, String to, long term, SnapshotMeta snapshot) implements Message {}

    /** Leader transfer (dissertation §3.10): the target campaigns at once. */
    record TimeoutNow(String from, String to, long term) implements Message {}
}
