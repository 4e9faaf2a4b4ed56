package io.sinkron.consensus.transport;

import com.google.protobuf.UnsafeByteOperations;
import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.EntryType;
import io.sinkron.consensus.raft.Message;
import io.sinkron.proto.AppendEntriesRequest;
import io.sinkron.proto.AppendEntriesResponse;
import io.sinkron.proto.HeartbeatRequest;
import io.sinkron.proto.HeartbeatResponse;
import io.sinkron.proto.LogEntry;
import io.sinkron.proto.PeerEnvelope;
import io.sinkron.proto.TimeoutNow;
import io.sinkron.proto.VoteRequest;
import io.sinkron.proto.VoteResponse;
import java.util.ArrayList;

/** Converts between the core's messages and their protobuf wire form. */
public final class MessageCodec {

    private MessageCodec() {}

    public static PeerEnvelope encode(String groupId, Message m) {
        var b = PeerEnvelope.newBuilder()
                .setGroupId(groupId)
                .setFrom(m.from())
                .setTo(m.to())
                .setTerm(m.term());
        switch (m) {
            case Message.VoteRequest v ->
                b.setVoteRequest(VoteRequest.newBuilder()
                        .setPreVote(v.preVote())
                        .setLastLogIndex(v.lastLogIndex())
                        .setLastLogTerm(v.lastLogTerm())
                        .setTransfer(v.transfer()));
            case Message.VoteResponse v ->
                b.setVoteResponse(
                        VoteResponse.newBuilder().setPreVote(v.preVote()).setGranted(v.granted()));
            case Message.AppendRequest a -> {
                var ab = AppendEntriesRequest.newBuilder()
                        .setPrevLogIndex(a.prevLogIndex())
                        .setPrevLogTerm(a.prevLogTerm())
                        .setLeaderCommit(a.leaderCommit())
                        .setCommitNotice(a.commitNotice());
                for (Entry e : a.entries()) {
                    ab.addEntries(LogEntry.newBuilder()
                            .setTerm(e.term())
                            .setIndex(e.index())
                            .setTypeValue(e.type().code())
                            // Entries are immutable, so the wire message may share their bytes.
                            .setData(UnsafeByteOperations.unsafeWrap(e.data())));
                }
                b.setAppendRequest(ab);
            }
            case Message.AppendResponse a ->
                b.setAppendResponse(AppendEntriesResponse.newBuilder()
                        .setSuccess(a.success())
                        .setMatchIndex(a.matchIndex())
                        .setRejectedIndex(a.rejectedIndex())
                        .setConflictIndex(a.conflictIndex())
                        .setConflictTerm(a.conflictTerm()));
            case Message.HeartbeatRequest h ->
                b.setHeartbeatRequest(HeartbeatRequest.newBuilder()
                        .setLeaderCommit(h.leaderCommit())
                        .setRound(h.round()));
            case Message.HeartbeatResponse h ->
                b.setHeartbeatResponse(HeartbeatResponse.newBuilder().setRound(h.round()));
            case Message.TimeoutNow t -> b.setTimeoutNow(TimeoutNow.getDefaultInstance());
            case Message.SnapshotRequest sr ->
                throw new IllegalArgumentException("snapshots travel on InstallSnapshot, not on the message stream");
        }
        return b.build();
    }

    /** Decodes a Raft message; returns null for envelopes that carry none (pings). */
    public static Message decode(PeerEnvelope env) {
        String from = env.getFrom();
        String to = env.getTo();
        long term = env.getTerm();
        return switch (env.getBodyCase()) {
            case VOTE_REQUEST -> {
                var v = env.getVoteRequest();
                yield new Message.VoteRequest(
                        from, to, term, v.getPreVote(), v.getLastLogIndex(), v.getLastLogTerm(), v.getTransfer());
            }
            case VOTE_RESPONSE -> {
                var v = env.getVoteResponse();
                yield new Message.VoteResponse(from, to, term, v.getPreVote(), v.getGranted());
            }
            case APPEND_REQUEST -> {
                var a = env.getAppendRequest();
                var entries = new ArrayList<Entry>(a.getEntriesCount());
                for (LogEntry e : a.getEntriesList()) {
                    entries.add(new Entry(
                            e.getTerm(),
                            e.getIndex(),
                            EntryType.ofCode(e.getTypeValue()),
                            e.getData().toByteArray()));
                }
                yield new Message.AppendRequest(
                        from,
                        to,
                        term,
                        a.getPrevLogIndex(),
                        a.getPrevLogTerm(),
                        entries,
                        a.getLeaderCommit(),
                        a.getCommitNotice() && entries.isEmpty());
            }
            case APPEND_RESPONSE -> {
                var a = env.getAppendResponse();
                yield new Message.AppendResponse(
                        from,
                        to,
                        term,
                        a.getSuccess(),
                        a.getMatchIndex(),
                        a.getRejectedIndex(),
                        a.getConflictIndex(),
                        a.getConflictTerm());
            }
            case HEARTBEAT_REQUEST -> {
                var h = env.getHeartbeatRequest();
                yield new Message.HeartbeatRequest(from, to, term, h.getLeaderCommit(), h.getRound());
            }
            case HEARTBEAT_RESPONSE ->
                new Message.HeartbeatResponse(
                        from, to, term, env.getHeartbeatResponse().getRound());
            case TIMEOUT_NOW -> new Message.TimeoutNow(from, to, term);
            case PING, BODY_NOT_SET -> null;
        };
    }
}
