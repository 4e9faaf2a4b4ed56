package io.sinkron.consensus.raft;

import io.sinkron.consensus.raft.Message.AppendRequest;
import io.sinkron.consensus.raft.Message.AppendResponse;
import io.sinkron.consensus.raft.Message.HeartbeatRequest;
import io.sinkron.consensus.raft.Message.HeartbeatResponse;
import io.sinkron.consensus.raft.Message.SnapshotRequest;
import io.sinkron.consensus.raft.Message.TimeoutNow;
import io.sinkron.consensus.raft.Message.VoteRequest;
import io.sinkron.consensus.raft.Message.VoteResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The Raft consensus algorithm as a deterministic state machine, after etcd-io/raft.
 *
 * <p>It owns no thread, socket, file or clock. Inputs are {@link #tick()}, {@link #step(Message)},
 * {@link #propose(EntryType, byte[])} and {@link #readIndex(long)}; the output is a {@link Ready}
 * batch that the driver persists, sends and applies before calling {@link #advance(Ready)}. The
 * driver alternates strictly: {@code ready()}, do the work, {@code advance()}, with no input in
 * between. A driver that writes on another thread calls {@link #advanceApplied(Ready)} instead and
 * reports the write later as one more input, {@link #persisted}. Randomness (election timeouts) is injected, so a seeded simulation replays exactly.
 *
 * <p>The protocol reads top to bottom: {@link #step} handles terms (Raft §5.1) and votes (§5.2,
 * §5.4.1, PreVote §9.6 of the dissertation), then hands the message to the role's own step function.
 */
public final class Raft {

    private record PendingRead(long context, long index, long round) {}

    private final RaftConfig config;
    private final String id;
    private final RandomGenerator random;
    private final RaftLog log;
    /** The configuration in force when the log holds no CONFIG entry: bootstrap or snapshot's. */
    private Membership baseMembership;

    private Membership membership;
    private long membershipIndex;
    private SnapshotMeta latestSnapshot;
    private SnapshotMeta snapshotToInstall;
    private String leadTransferee;
    private int transferElapsed;
    /** The election this node runs was asked for by the leader (TimeoutNow): its requests say so. */
    private boolean campaignForTransfer;

    private long term;
    private String votedFor;
    private String leaderId;
    private Role role;

    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;

    private final Map<String, Progress> progress = new TreeMap<>();
    private final Map<String, Boolean> votes = new TreeMap<>();

    private final List<Message> outbox = new ArrayList<>();
    private boolean broadcastPending;

    private long heartbeatRound;
    private boolean readRoundPending;
    private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    private final List<Long> readsAwaitingTermCommit = new ArrayList<>();
    private final List<ReadState> readStates = new ArrayList<>();

    /** The last hard state handed to storage (written before any message that depends on it). */
    private HardState persistedHardState;

    private SoftState reportedSoftState;

    /**
     * Restores a node from what its storage holds.
     *
     * @param hardState the persisted term, vote and commit hint
     * @param entries the persisted log, contiguous from index 1
     * @param bootstrap the configuration in force while the log holds no CONFIG entry
     */
    public Raft(
            RaftConfig config, HardState hardState, List<Entry> entries, Membership bootstrap, RandomGenerator random) {
        this(config, hardState, SnapshotMeta.NONE, entries, bootstrap, random);
    }

    /**
     * Restores a node from a snapshot and the log entries stored after it.
     *
     * @param entries the persisted log after {@code snapshot.index()}, contiguous
     */
    public Raft(
            RaftConfig config,
            HardState hardState,
            SnapshotMeta snapshot,
            List<Entry> entries,
            Membership bootstrap,
            RandomGenerator random) {
        this.config = config;
        this.id = config.id();
        this.random = random;
        this.log = new RaftLog(entries, snapshot.index(), snapshot.term());
        this.baseMembership = snapshot.index() > 0 ? snapshot.membership() : bootstrap;
        this.latestSnapshot = snapshot;
        this.term = hardState.term();
        this.votedFor = hardState.votedFor();
        this.log.commitTo(Math.min(hardState.commit(), log.lastIndex()));
        this.persistedHardState = hardState;
        refreshMembership();
        becomeFollower(term, null);
        this.reportedSoftState = softState();
    }

    // ---- inputs -------------------------------------------------------------------------------

    /** Advances logical time by one tick of the driver's clock. */
    public void tick() {
        if (role == Role.LEADER) {
            tickLeader();
        } else {
            electionElapsed++;
            if (promotable() && electionElapsed >= randomizedElectionTimeout) {
                electionElapsed = 0;
                campaign(config.preVote());
            } else if ((role == Role.CANDIDATE || role == Role.PRE_CANDIDATE)
                    && electionElapsed % config.heartbeatTicks() == 0) {
                // Raft §5.1: servers retry RPCs that get no timely response. A vote request lost on
                // the way would otherwise cost a whole election timeout, and a transfer's election
                // has only one (dissertation §3.10). A voter answers a repeated request as it did
                // the first: at most one vote per term.
                requestVotes();
            }
        }
    }

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        if (leadTransferee != null && ++transferElapsed >= config.electionTicksMin()) {
            // The target did not take over in time: resume accepting proposals (dissertation §3.10).
            leadTransferee = null;
        }
        if (electionElapsed >= config.electionTicksMin()) {
            electionElapsed = 0;
            // Check-quorum (dissertation §6.2): a leader cut off from a majority steps down so that
            // clients stop waiting on it and the majority side can elect without disruption.
            if (config.checkQuorum() && !quorumActive()) {
                becomeFollower(term, null);
                return;
            }
        }
        if (heartbeatElapsed >= config.heartbeatTicks()) {
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
    }

    /**
     * Appends a new entry if this node is the leader.
     *
     * @return the index the entry will have if it commits, or -1 if this node is not the leader.
     *     The entry may still be lost if leadership changes before it commits: the driver learns
     *     this when the entry applied at that index has another term.
     */
    public long propose(EntryType type, byte[] data) {
        if (role != Role.LEADER || leadTransferee != null) {
            return -1;
        }
        var e = new Entry(term, log.lastIndex() + 1, type, data);
        log.append(List.of(e));
        if (type == EntryType.CONFIG) {
            applyMembership(Membership.decode(data), e.index());
        }
        broadcastPending = true;
        return e.index();
    }

    /**
     * Asks for a linearizable read point (ReadIndex, dissertation §6.4). The answer arrives as a
     * {@link ReadState} with the same context once a majority has confirmed this node is still the
     * leader; the read may be served when the state machine has applied its index.
     *
     * @return false if this node is not the leader
     */
    public boolean readIndex(long context) {
        if (role != Role.LEADER) {
            return false;
        }
        if (log.term(log.committed()) != term) {
            // Until an entry of this term commits, the leader does not know the true commit index
            // (dissertation §6.4 step 1); reads wait for the term's no-op.
            readsAwaitingTermCommit.add(context);
        } else {
            registerRead(context);
        }
        return true;
    }

    private void registerRead(long context) {
        if (isSingleVoter()) {
            readStates.add(new ReadState(context, log.committed()));
            return;
        }
        pendingReads.addLast(new PendingRead(context, log.committed(), heartbeatRound + 1));
        readRoundPending = true;
    }

    /** Feeds a message from a peer. */
    public void step(Message m) {
        if (m.term() > term) {
            if (m instanceof VoteRequest vr) {
                boolean inLease = config.checkQuorum()
                        && !vr.transfer()
                        && leaderId != null
                        && electionElapsed < config.electionTicksMin();
                if (inLease) {
                    // Dissertation §4.2.3: a node that hears from a live leader ignores votes, so a
                    // removed or partitioned node cannot disrupt the cluster.
                    return;
                }
                if (!vr.preVote()) {
                    becomeFollower(m.term(), null);
                }
            } else if (m instanceof VoteResponse vr && vr.preVote() && vr.granted()) {
                // A granted PreVote carries the term we would campaign in; it is not a newer leader.
            } else {
                boolean fromLeader = m instanceof AppendRequest || m instanceof HeartbeatRequest;
                becomeFollower(m.term(), fromLeader ? m.from() : null);
            }
        } else if (m.term() < term) {
            if (m instanceof AppendRequest || m instanceof HeartbeatRequest) {
                // A stale leader learns our term and steps down; without this, check-quorum and
                // PreVote could leave it stranded (etcd-io/raft #5451 discussion).
                send(new AppendResponse(id, m.from(), term, false, 0, 0, 0, 0));
            } else if (m instanceof VoteRequest vr && vr.preVote()) {
                send(new VoteResponse(id, m.from(), term, true, false));
            }
            return;
        }

        if (m instanceof VoteRequest vr) {
            handleVoteRequest(vr);
            return;
        }
        switch (role) {
            case LEADER -> stepLeader(m);
            case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
            case FOLLOWER, LEARNER -> stepFollower(m);
        }
    }

    private void handleVoteRequest(VoteRequest vr) {
        // Raft §5.2: at most one vote per term, first come first served; §5.4.1: only for a log at
        // least as up to date as ours. A PreVote for a future term does not bind us.
        boolean canVote = Objects.equals(votedFor, vr.from())
                || (votedFor == null && leaderId == null)
                || (vr.preVote() && vr.term() > term);
        if (canVote && log.isUpToDate(vr.lastLogIndex(), vr.lastLogTerm())) {
            send(new VoteResponse(id, vr.from(), vr.term(), vr.preVote(), true));
            if (!vr.preVote()) {
                electionElapsed = 0;
                votedFor = vr.from();
            }
        } else {
            send(new VoteResponse(id, vr.from(), term, vr.preVote(), false));
        }
    }

    // ---- follower ----------------------------------------------------------------------------

    private void stepFollower(Message m) {
        switch (m) {
            case AppendRequest ar -> {
                electionElapsed = 0;
                leaderId = ar.from();
                handleAppend(ar);
            }
            case SnapshotRequest sr -> {
                electionElapsed = 0;
                leaderId = sr.from();
                handleSnapshot(sr);
            }
            case TimeoutNow t -> {
                if (promotable()) {
                    // Leader transfer: skip PreVote, the current leader asked for this election.
                    campaign(false, true);
                }
            }
            case HeartbeatRequest hb -> {
                electionElapsed = 0;
                leaderId = hb.from();
                // The leader sends min(our match, its commit), so everything up to it is ours.
                log.commitTo(Math.min(hb.leaderCommit(), log.lastIndex()));
                send(new HeartbeatResponse(id, hb.from(), term, hb.round()));
            }
            default -> {}
        }
    }

    private void handleAppend(AppendRequest ar) {
        if (ar.prevLogIndex() < log.committed()) {
            // Everything up to our commit index already matches the leader's log (Log Matching).
            if (!ar.commitNotice()) {
                send(new AppendResponse(id, ar.from(), term, true, log.committed(), 0, 0, 0));
            }
            return;
        }
        long lastNew = log.maybeAppend(ar.prevLogIndex(), ar.prevLogTerm(), ar.leaderCommit(), ar.entries());
        if (lastNew >= 0) {
            if (!ar.entries().isEmpty()) {
                refreshMembershipAfterAppend(ar.entries());
            }
            if (!ar.commitNotice()) {
                send(new AppendResponse(id, ar.from(), term, true, lastNew, 0, 0, 0));
            }
        } else {
            long[] hint = log.conflictHint(ar.prevLogIndex());
            send(new AppendResponse(id, ar.from(), term, false, 0, ar.prevLogIndex(), hint[0], hint[1]));
        }
    }

    /** The follower side of InstallSnapshot (Raft §7). */
    private void handleSnapshot(SnapshotRequest sr) {
        SnapshotMeta s = sr.snapshot();
        if (s.index() <= log.committed()) {
            send(new AppendResponse(id, sr.from(), term, true, log.committed(), 0, 0, 0));
            return;
        }
        if (log.matchTerm(s.index(), s.term())) {
            // We hold every entry the snapshot covers: keep them and what follows (Raft §7, "if
            // existing log entry has same index and term as snapshot's last included entry,
            // retain log entries following it").
            log.commitTo(s.index());
            send(new AppendResponse(id, sr.from(), term, true, s.index(), 0, 0, 0));
            return;
        }
        // Our log conflicts with the snapshot or is behind it: discard it entirely.
        log.restore(s.index(), s.term());
        latestSnapshot = s;
        snapshotToInstall = s;
        baseMembership = s.membership();
        applyMembership(s.membership(), s.index());
        send(new AppendResponse(id, sr.from(), term, true, s.index(), 0, 0, 0));
    }

    // ---- candidate ---------------------------------------------------------------------------

    private void campaign(boolean preVote) {
        campaign(preVote, false);
    }

    private void campaign(boolean preVote, boolean transfer) {
        if (preVote) {
            becomePreCandidate();
        } else {
            becomeCandidate();
        }
        campaignForTransfer = transfer;
        if (tally() > 0) {
            // A single-voter cluster wins with its own vote.
            wonElection(preVote);
            return;
        }
        requestVotes();
    }

    /** Asks every voter that has not answered yet for its vote in the current round. */
    private void requestVotes() {
        boolean preVote = role == Role.PRE_CANDIDATE;
        // A PreVote asks about the term we would campaign in, without moving to it.
        long voteTerm = preVote ? term + 1 : term;
        for (String voter : membership.voters().keySet()) {
            if (!voter.equals(id) && !votes.containsKey(voter)) {
                send(new VoteRequest(
                        id, voter, voteTerm, preVote, log.lastIndex(), log.lastTerm(), campaignForTransfer));
            }
        }
    }

    private void stepCandidate(Message m) {
        switch (m) {
            case AppendRequest ar -> {
                becomeFollower(term, ar.from());
                handleAppend(ar);
            }
            case HeartbeatRequest hb -> {
                becomeFollower(term, hb.from());
                stepFollower(hb);
            }
            case SnapshotRequest sr -> {
                becomeFollower(term, sr.from());
                stepFollower(sr);
            }
            case TimeoutNow t -> {
                // The leader of our term asks us to take over while we were only sounding out an
                // election of our own (PreVote leaves the term as it was): run the real one now.
                if (role == Role.PRE_CANDIDATE && promotable()) {
                    campaign(false, true);
                }
            }
            case VoteResponse vr -> {
                boolean matchesRound = (role == Role.PRE_CANDIDATE) == vr.preVote();
                if (!matchesRound || !membership.isVoter(vr.from())) {
                    return;
                }
                votes.putIfAbsent(vr.from(), vr.granted());
                int outcome = tally();
                if (outcome > 0) {
                    wonElection(role == Role.PRE_CANDIDATE);
                } else if (outcome < 0) {
                    becomeFollower(term, null);
                }
            }
            default -> {}
        }
    }

    private void wonElection(boolean preVote) {
        if (preVote) {
            campaign(false);
        } else {
            becomeLeader();
        }
    }

    /** 1 if a majority of voters granted, -1 if a majority refused, 0 while undecided. */
    private int tally() {
        int granted = 0;
        int refused = 0;
        for (String voter : membership.voters().keySet()) {
            Boolean v = votes.get(voter);
            if (v == null) {
                continue;
            }
            if (v) {
                granted++;
            } else {
                refused++;
            }
        }
        int majority = Quorum.majority(membership.voters().size());
        return granted >= majority ? 1 : refused >= majority ? -1 : 0;
    }

    // ---- leader ------------------------------------------------------------------------------

    private void stepLeader(Message m) {
        Progress pr = progress.get(m.from());
        if (pr == null) {
            return;
        }
        switch (m) {
            case AppendResponse ar -> {
                pr.recentActive = true;
                if (ar.success()) {
                    handleAppendSuccess(m.from(), pr, ar);
                } else {
                    handleAppendRejection(m.from(), pr, ar);
                }
            }
            case HeartbeatResponse hr -> {
                pr.recentActive = true;
                pr.onHeartbeatResponse(log.lastIndex());
                pr.ackedRound = Math.max(pr.ackedRound, hr.round());
                if (pr.match < log.lastIndex()) {
                    sendAppends(m.from());
                } else if (m.from().equals(leadTransferee)) {
                    // The target holds our whole log and still answers in our term: the TimeoutNow
                    // sent when it caught up was lost (or found it sounding out an election). Send
                    // it again; a copy that arrives after the target campaigned is of an older term
                    // and ignored.
                    send(new TimeoutNow(id, m.from(), term));
                }
                releaseReads();
            }
            default -> {}
        }
    }

    private void handleAppendSuccess(String peer, Progress pr, AppendResponse ar) {
        if (pr.maybeUpdate(ar.matchIndex())) {
            switch (pr.state) {
                case PROBE -> pr.becomeReplicate();
                case SNAPSHOT -> {
                    if (pr.match >= pr.pendingSnapshot) {
                        pr.becomeReplicate();
                    }
                }
                case REPLICATE -> pr.inflights.freeUpTo(pr.match);
            }
            if (peer.equals(leadTransferee) && pr.match == log.lastIndex()) {
                send(new TimeoutNow(id, peer, term));
            }
            if (maybeCommit()) {
                broadcastAppend(true);
                stepDownIfRemoved();
                return;
            }
        }
        sendAppends(peer);
    }

    private void handleAppendRejection(String peer, Progress pr, AppendResponse ar) {
        boolean stale = pr.state == Progress.State.REPLICATE
                ? ar.rejectedIndex() <= pr.match
                : ar.rejectedIndex() != pr.next - 1;
        if (stale || ar.rejectedIndex() == 0) {
            return;
        }
        // Fast backtracking (dissertation §5.3): skip every entry of the follower's conflicting term
        // at once, or jump to the end of its shorter log.
        long next = ar.conflictIndex();
        if (ar.conflictTerm() > 0) {
            long ours = log.lastIndexOfTerm(ar.conflictTerm(), ar.rejectedIndex());
            if (ours > 0) {
                next = ours + 1;
            }
        }
        if (pr.state == Progress.State.REPLICATE) {
            pr.becomeProbe();
        }
        pr.next = Math.max(pr.match + 1, Math.min(next, ar.rejectedIndex()));
        pr.probeSent = false;
        sendAppends(peer);
    }

    /**
     * Raft §5.4.2: advance the commit index only to an entry of the current term replicated on a
     * majority; earlier-term entries commit indirectly with it (the Figure 8 case).
     */
    private boolean maybeCommit() {
        if (membership.voters().isEmpty()) {
            return false;
        }
        var matches = new ArrayList<Long>();
        for (String voter : membership.voters().keySet()) {
            matches.add(voter.equals(id) ? log.stable() : progress.get(voter).match);
        }
        long candidate = Quorum.committedIndex(matches);
        if (candidate > log.committed() && log.term(candidate) == term) {
            log.commitTo(candidate);
            if (!readsAwaitingTermCommit.isEmpty()) {
                readsAwaitingTermCommit.forEach(this::registerRead);
                readsAwaitingTermCommit.clear();
            }
            return true;
        }
        return false;
    }

    private boolean quorumActive() {
        int active = 0;
        for (String voter : membership.voters().keySet()) {
            if (voter.equals(id)) {
                active++;
                continue;
            }
            Progress pr = progress.get(voter);
            if (pr.recentActive) {
                active++;
            }
            pr.recentActive = false;
        }
        return active >= Quorum.majority(membership.voters().size());
    }

    private void releaseReads() {
        while (!pendingReads.isEmpty()) {
            PendingRead read = pendingReads.peekFirst();
            int acks = 0;
            for (String voter : membership.voters().keySet()) {
                if (voter.equals(id) || progress.get(voter).ackedRound >= read.round()) {
                    acks++;
                }
            }
            if (acks < Quorum.majority(membership.voters().size())) {
                return;
            }
            pendingReads.removeFirst();
            readStates.add(new ReadState(read.context(), read.index()));
        }
    }

    private void broadcastAppend(boolean evenIfEmpty) {
        for (String peer : progress.keySet()) {
            if (sendAppend(peer, evenIfEmpty)) {
                sendAppends(peer);
            }
        }
    }

    /** Sends as much as the follower's flow control allows (one message while probing). */
    private void sendAppends(String peer) {
        Progress pr = progress.get(peer);
        while (sendAppend(peer, false) && pr.state == Progress.State.REPLICATE) {
            // Pipelining: keep sending batches until the inflight window is full.
        }
    }

    private boolean sendAppend(String peer, boolean evenIfEmpty) {
        Progress pr = progress.get(peer);
        if (pr.paused()) {
            return false;
        }
        long prevIndex = pr.next - 1;
        long prevTerm = log.term(prevIndex);
        if (prevTerm < 0) {
            return sendSnapshot(peer, pr);
        }
        List<Entry> entries =
                pr.next <= log.lastIndex() ? log.slice(pr.next, log.lastIndex(), config.maxMessageBytes()) : List.of();
        if (entries.isEmpty() && !evenIfEmpty && pr.state == Progress.State.REPLICATE) {
            return false;
        }
        boolean commitNotice = entries.isEmpty() && pr.state == Progress.State.REPLICATE;
        send(new AppendRequest(id, peer, term, prevIndex, prevTerm, entries, log.committed(), commitNotice));
        if (pr.state == Progress.State.REPLICATE && !entries.isEmpty()) {
            long last = entries.getLast().index();
            long bytes = 0;
            for (Entry e : entries) {
                bytes += e.sizeBytes();
            }
            pr.next = last + 1;
            pr.inflights.add(last, bytes);
        } else if (pr.state == Progress.State.PROBE) {
            pr.probeSent = true;
        }
        return true;
    }

    /** The entries this follower needs were compacted away: send the latest snapshot (Raft §7). */
    private boolean sendSnapshot(String peer, Progress pr) {
        if (latestSnapshot.index() == 0 || latestSnapshot.index() < log.snapshotIndex()) {
            throw new IllegalStateException("log compacted to " + log.snapshotIndex() + " without a snapshot");
        }
        pr.becomeSnapshot(latestSnapshot.index());
        send(new SnapshotRequest(id, peer, term, latestSnapshot));
        return true;
    }

    /**
     * The driver's report on a snapshot it shipped to {@code peer}. After a failure the follower is
     * probed again (and sent a snapshot again if it still needs one) at the next heartbeat.
     */
    public void reportSnapshot(String peer, boolean delivered) {
        Progress pr = progress.get(peer);
        if (role != Role.LEADER || pr == null || pr.state != Progress.State.SNAPSHOT) {
            return;
        }
        long pending = pr.pendingSnapshot;
        pr.becomeProbe();
        if (delivered) {
            pr.next = Math.max(pr.next, pending + 1);
        }
        pr.probeSent = true;
    }

    private void broadcastHeartbeat() {
        for (var e : progress.entrySet()) {
            long commit = Math.min(e.getValue().match, log.committed());
            send(new HeartbeatRequest(id, e.getKey(), term, commit, heartbeatRound));
        }
    }

    // ---- role transitions --------------------------------------------------------------------

    private void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            votedFor = null;
        }
        leaderId = null;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        randomizedElectionTimeout =
                config.electionTicksMin() + random.nextInt(config.electionTicksMax() - config.electionTicksMin());
        votes.clear();
        progress.clear();
        for (String member : membership.members()) {
            if (!member.equals(id)) {
                progress.put(member, newProgress());
            }
        }
        broadcastPending = false;
        readRoundPending = false;
        leadTransferee = null;
        campaignForTransfer = false;
        pendingReads.clear();
        readsAwaitingTermCommit.clear();
    }

    private Progress newProgress() {
        return new Progress(log.lastIndex() + 1, config.maxInflight(), config.maxInflightBytes());
    }

    private void becomeFollower(long newTerm, String leader) {
        reset(newTerm);
        leaderId = leader;
        role = membership.isLearner(id) ? Role.LEARNER : Role.FOLLOWER;
    }

    private void becomePreCandidate() {
        // PreVote does not touch the term or the vote: a node that cannot win leaves no trace.
        role = Role.PRE_CANDIDATE;
        leaderId = null;
        votes.clear();
        votes.put(id, true);
    }

    private void becomeCandidate() {
        reset(term + 1);
        votedFor = id;
        role = Role.CANDIDATE;
        votes.put(id, true);
    }

    private void becomeLeader() {
        reset(term);
        role = Role.LEADER;
        leaderId = id;
        for (Progress pr : progress.values()) {
            pr.recentActive = true;
        }
        // Raft §8: a no-op of the new term lets the leader commit, and so learn, everything before it.
        propose(EntryType.NOOP, null);
    }

    // ---- membership --------------------------------------------------------------------------

    private boolean promotable() {
        return membership.isVoter(id);
    }

    private boolean isSingleVoter() {
        return membership.voters().size() == 1 && membership.isVoter(id);
    }

    private void refreshMembership() {
        Entry e = log.lastConfigEntry();
        if (e == null) {
            membership = baseMembership;
            membershipIndex = 0;
        } else {
            membership = Membership.decode(e.data());
            membershipIndex = e.index();
        }
    }

    private void refreshMembershipAfterAppend(List<Entry> appended) {
        boolean truncatedConfig = membershipIndex >= appended.getFirst().index();
        boolean newConfig = appended.stream().anyMatch(e -> e.type() == EntryType.CONFIG);
        if (truncatedConfig || newConfig) {
            Membership before = membership;
            refreshMembership();
            if (!before.equals(membership)) {
                applyMembership(membership, membershipIndex);
            }
        }
    }

    private void applyMembership(Membership next, long index) {
        membership = next;
        membershipIndex = index;
        progress.keySet().removeIf(peer -> !next.contains(peer));
        for (String member : next.members()) {
            if (!member.equals(id)) {
                progress.computeIfAbsent(member, m -> newProgress());
            }
        }
        if (role == Role.FOLLOWER && next.isLearner(id)) {
            role = Role.LEARNER;
        } else if (role == Role.LEARNER && next.isVoter(id)) {
            role = Role.FOLLOWER;
        }
    }

    /**
     * Proposes one membership change (see {@link ConfChange}).
     *
     * @return the index of the CONFIG entry, or an error saying why the change is refused
     */
    public ConfChangeResult proposeConfChange(ConfChange change) {
        if (role != Role.LEADER) {
            return ConfChangeResult.refused(Refusal.Kind.NOT_LEADER, "this node is not the leader");
        }
        if (leadTransferee != null) {
            return ConfChangeResult.refused(
                    Refusal.Kind.IN_PROGRESS, "a leadership transfer to " + leadTransferee + " is in progress");
        }
        if (log.term(log.committed()) != term) {
            return ConfChangeResult.refused(
                    Refusal.Kind.NOT_READY, "the leader has not committed an entry of its term yet; retry shortly");
        }
        if (membershipIndex > log.committed()) {
            return ConfChangeResult.refused(
                    Refusal.Kind.IN_PROGRESS, "a membership change is in progress (log index " + membershipIndex + ")");
        }
        Membership next;
        switch (change) {
            case ConfChange.AddLearner a -> {
                if (membership.contains(a.nodeId())) {
                    return ConfChangeResult.refused(Refusal.Kind.CONFLICT, "'" + a.nodeId() + "' is already a member");
                }
                next = membership.withLearner(a.nodeId(), a.address(), a.promote());
            }
            case ConfChange.Promote p -> {
                if (!membership.isLearner(p.nodeId())) {
                    return ConfChangeResult.refused(Refusal.Kind.NOT_FOUND, "'" + p.nodeId() + "' is not a learner");
                }
                next = membership.promoted(p.nodeId());
            }
            case ConfChange.Remove r -> {
                if (!membership.contains(r.nodeId())) {
                    return ConfChangeResult.refused(Refusal.Kind.NOT_FOUND, "'" + r.nodeId() + "' is not a member");
                }
                if (membership.isVoter(r.nodeId()) && membership.voters().size() == 1) {
                    return ConfChangeResult.refused(Refusal.Kind.CONFLICT, "'" + r.nodeId() + "' is the last voter");
                }
                next = membership.without(r.nodeId());
            }
        }
        return ConfChangeResult.accepted(propose(EntryType.CONFIG, next.encode()));
    }

    /**
     * Hands leadership to {@code target}, or to the most caught-up voter when it is null
     * (dissertation §3.10): proposals are refused until the target takes over or the transfer times
     * out after an election timeout.
     *
     * @return null when the transfer started, or why it cannot
     */
    public Refusal transferLeadership(String target) {
        if (role != Role.LEADER) {
            return Refusal.of(Refusal.Kind.NOT_LEADER, "this node is not the leader");
        }
        if (leadTransferee != null) {
            return Refusal.of(Refusal.Kind.IN_PROGRESS, "a transfer to " + leadTransferee + " is already in progress");
        }
        if (target == null) {
            target = progress.entrySet().stream()
                    .filter(e -> membership.isVoter(e.getKey()))
                    .max(java.util.Comparator.comparingLong((Map.Entry<String, Progress> e) -> e.getValue().match)
                            .thenComparing(Map.Entry::getKey, java.util.Comparator.reverseOrder()))
                    .map(Map.Entry::getKey)
                    .orElse(null);
            if (target == null) {
                return Refusal.of(Refusal.Kind.CONFLICT, "there is no other voter to transfer to");
            }
        }
        if (target.equals(id)) {
            return Refusal.of(Refusal.Kind.CONFLICT, "'" + id + "' is already the leader");
        }
        if (!membership.isVoter(target)) {
            return Refusal.of(Refusal.Kind.NOT_FOUND, "'" + target + "' is not a voter");
        }
        leadTransferee = target;
        transferElapsed = 0;
        Progress pr = progress.get(target);
        if (pr.match == log.lastIndex()) {
            send(new TimeoutNow(id, target, term));
        } else {
            sendAppends(target);
        }
        return null;
    }

    /**
     * The configuration in force at {@code index} (at or after the compaction point, at most the
     * last index): what a snapshot taken at that index must record.
     */
    public Membership membershipAt(long index) {
        for (long i = Math.min(index, log.lastIndex()); i > log.snapshotIndex(); i--) {
            Entry e = log.entry(i);
            if (e.type() == EntryType.CONFIG) {
                return Membership.decode(e.data());
            }
        }
        return baseMembership;
    }

    /** The driver took a snapshot of the state machines at {@code meta.index()}. */
    public void snapshotTaken(SnapshotMeta meta) {
        if (meta.index() > latestSnapshot.index()) {
            latestSnapshot = meta;
        }
    }

    /**
     * Drops log entries up to {@code index}, which must be covered by the latest snapshot; a
     * follower that needs them is sent that snapshot instead.
     */
    public void compact(long index) {
        if (index > latestSnapshot.index()) {
            throw new IllegalArgumentException("compact " + index + " beyond snapshot " + latestSnapshot.index());
        }
        if (index <= log.snapshotIndex()) {
            return;
        }
        // Keep the configuration in force at the compaction point for when no CONFIG entry remains.
        for (long i = Math.min(index, log.lastIndex()); i > log.snapshotIndex(); i--) {
            Entry e = log.entry(i);
            if (e.type() == EntryType.CONFIG) {
                baseMembership = Membership.decode(e.data());
                break;
            }
        }
        log.compact(index);
    }

    private void stepDownIfRemoved() {
        // Dissertation §4.2.2: a leader removed from the configuration steps down once the change
        // is committed; until then it manages the cluster without counting itself.
        if (role == Role.LEADER && !membership.isVoter(id) && membershipIndex <= log.committed()) {
            becomeFollower(term, null);
        }
    }

    // ---- output ------------------------------------------------------------------------------

    private void send(Message m) {
        outbox.add(m);
    }

    private void flushDeferred() {
        if (role != Role.LEADER) {
            return;
        }
        if (broadcastPending) {
            broadcastPending = false;
            broadcastAppend(false);
        }
        if (readRoundPending) {
            readRoundPending = false;
            heartbeatRound++;
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
    }

    private HardState hardState() {
        return new HardState(term, votedFor, log.committed());
    }

    private SoftState softState() {
        return new SoftState(role, leaderId, term);
    }

    private boolean hardStateChanged() {
        // The commit index alone does not force a write: it is a restart hint, and rewriting the
        // hard state file on every commit would cost an fsync per batch.
        return term != persistedHardState.term() || !Objects.equals(votedFor, persistedHardState.votedFor());
    }

    public boolean hasReady() {
        return !outbox.isEmpty()
                || snapshotToInstall != null
                || broadcastPending
                || readRoundPending
                || !readStates.isEmpty()
                || hardStateChanged()
                || log.persisting() < log.lastIndex()
                || log.applied() < log.committed()
                || !softState().equals(reportedSoftState);
    }

    /**
     * Collects the work the driver must do now; see {@link Ready} for the order. Its hard state
     * and entries count as handed to storage from here on: a later Ready does not repeat them.
     */
    public Ready ready() {
        flushDeferred();
        var rd = new Ready(
                softState(),
                hardStateChanged() ? hardState() : null,
                snapshotToInstall,
                log.takeUnpersisted(),
                List.copyOf(outbox),
                log.committedUnapplied(),
                List.copyOf(readStates),
                log.generation());
        outbox.clear();
        readStates.clear();
        snapshotToInstall = null;
        reportedSoftState = rd.softState();
        if (rd.hardState() != null) {
            persistedHardState = rd.hardState();
        }
        return rd;
    }

    /**
     * Tells the core that {@code rd} was persisted (synchronously, before its messages were sent)
     * and applied: {@link #advanceApplied} and {@link #persisted} in one.
     */
    public void advance(Ready rd) {
        if (!rd.entries().isEmpty()) {
            Entry last = rd.entries().getLast();
            persisted(last.index(), last.term(), rd.generation());
        }
        advanceApplied(rd);
    }

    /**
     * Tells the core that {@code rd} was handled without waiting for its writes: its messages that
     * need durability are queued behind its writes, its committed entries applied. Its entries
     * become durable later, reported through {@link #persisted} (etcd-io/raft's asynchronous
     * storage writes).
     */
    public void advanceApplied(Ready rd) {
        if (!rd.committedEntries().isEmpty()) {
            log.appliedTo(rd.committedEntries().getLast().index());
        }
        stepDownIfRemoved();
    }

    /**
     * Storage made every entry handed to it up to {@code index} (whose term is {@code term})
     * durable, as written from Readys of log {@code generation}. A leader now counts them toward
     * commitment: they must not count before they are on disk (Raft §5.4, dissertation §10.2.1).
     */
    public void persisted(long index, long term, long generation) {
        log.stableTo(index, term, generation);
        if (role == Role.LEADER && maybeCommit()) {
            broadcastAppend(true);
        }
        stepDownIfRemoved();
    }

    // ---- observation -------------------------------------------------------------------------

    public String id() {
        return id;
    }

    public long term() {
        return term;
    }

    public Role role() {
        return role;
    }

    public String leaderId() {
        return leaderId;
    }

    public String votedFor() {
        return votedFor;
    }

    public long commitIndex() {
        return log.committed();
    }

    public long appliedIndex() {
        return log.applied();
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public long lastTerm() {
        return log.lastTerm();
    }

    public long stableIndex() {
        return log.stable();
    }

    public Membership membership() {
        return membership;
    }

    /** Index of the CONFIG entry in force, or 0 when the bootstrap or snapshot configuration is. */
    public long membershipIndex() {
        return membershipIndex;
    }

    public long snapshotIndex() {
        return log.snapshotIndex();
    }

    public SnapshotMeta latestSnapshot() {
        return latestSnapshot;
    }

    public String leadTransferee() {
        return leadTransferee;
    }

    /** Index of the first entry the log still holds. */
    public long firstIndex() {
        return log.firstIndex();
    }

    /** Term of the entry at {@code index}, or -1 when the log does not hold it. */
    public long termAt(long index) {
        return log.term(index);
    }

    public Entry entryAt(long index) {
        return log.entry(index);
    }

    /** Match index the leader knows for {@code peer}, or -1 when this node is not the leader. */
    public long matchIndex(String peer) {
        if (role != Role.LEADER) {
            return -1;
        }
        if (peer.equals(id)) {
            return log.stable();
        }
        Progress pr = progress.get(peer);
        return pr == null ? -1 : pr.match;
    }

    /** The leader's flow-control state for {@code peer} (for status pages and tests). */
    public String progressOf(String peer) {
        Progress pr = progress.get(peer);
        return pr == null ? "" : pr.toString();
    }
}
