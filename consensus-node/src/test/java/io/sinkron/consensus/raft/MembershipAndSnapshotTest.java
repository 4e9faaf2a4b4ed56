package io.sinkron.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.Message.AppendRequest;
import io.sinkron.consensus.raft.Message.AppendResponse;
import io.sinkron.consensus.raft.Message.SnapshotRequest;
import io.sinkron.consensus.raft.Message.TimeoutNow;
import io.sinkron.consensus.raft.Message.VoteRequest;
import io.sinkron.consensus.raft.Message.VoteResponse;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Snapshots (Raft §7), single-server membership changes (dissertation §4) and leader transfer
 * (§3.10), including the regression cases known from other Raft implementations.
 */
class MembershipAndSnapshotTest {

    private static Entry entry(long term, long index) {
        return new Entry(term, index, EntryType.COMMAND, ("e" + index + "t" + term).getBytes());
    }

    private static Raft follower(String id, List<Entry> log, long term) {
        var voters = new TreeMap<String, String>(Map.of("n1", "a1", "n2", "a2", "n3", "a3"));
        return new Raft(
                new RaftConfig(id, 1, 10, 20, true, true, 4, 1 << 20, 1 << 20),
                new HardState(term, null, 0),
                log,
                new Membership(voters, Map.of()),
                new Random(1));
    }

    @Test
    void when_the_follower_holds_a_conflicting_entry_at_the_snapshot_index_then_it_discards_its_log() {
        // Regression: a follower whose entry at the snapshot's last index has another term must not
        // keep it (nor anything after it).
        var n2 = follower("n2", List.of(entry(1, 1), entry(1, 2), entry(2, 3), entry(2, 4)), 2);
        var snapshot = new SnapshotMeta(3, 3, new Membership(Map.of("n1", "a1", "n2", "a2", "n3", "a3"), Map.of()));
        n2.step(new SnapshotRequest("n1", "n2", 3, snapshot));
        Ready rd = n2.ready();
        assertThat(rd.snapshot()).isEqualTo(snapshot);
        assertThat(rd.messages()).singleElement().isInstanceOfSatisfying(AppendResponse.class, r -> {
            assertThat(r.success()).isTrue();
            assertThat(r.matchIndex()).isEqualTo(3);
        });
        n2.advance(rd);
        assertThat(n2.lastIndex()).isEqualTo(3);
        assertThat(n2.termAt(3)).isEqualTo(3);
        assertThat(n2.commitIndex()).isEqualTo(3);
        assertThat(n2.snapshotIndex()).isEqualTo(3);
    }

    @Test
    void when_the_follower_already_holds_the_snapshot_entry_then_it_keeps_its_log_and_installs_nothing() {
        // Raft §7: "If existing log entry has same index and term as snapshot's last included entry,
        // retain log entries following it and reply".
        var n2 = follower("n2", List.of(entry(1, 1), entry(1, 2), entry(2, 3), entry(2, 4)), 2);
        n2.step(new SnapshotRequest("n1", "n2", 2, new SnapshotMeta(3, 2, Membership.EMPTY)));
        Ready rd = n2.ready();
        assertThat(rd.snapshot()).isNull();
        assertThat(n2.lastIndex()).isEqualTo(4);
        assertThat(n2.commitIndex()).isEqualTo(3);
    }

    @Test
    void when_a_follower_lags_behind_repeated_compactions_then_it_still_catches_up_without_looping() {
        // Regression: a follower must leave SNAPSHOT state even if the leader compacts again while
        // the snapshot travels, and a failed transfer must be retried rather than stall.
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n1 = net.node("n1");
        net.isolated.add("n3");
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 10; i++) {
                net.propose("n1", "r" + round + "x" + i);
            }
            net.stabilize();
            long applied = n1.appliedIndex();
            n1.snapshotTaken(new SnapshotMeta(applied, n1.termAt(applied), n1.membershipAt(applied)));
            n1.compact(applied);
        }
        net.isolated.clear();
        net.tick("n1", 1);
        net.stabilize();
        // The first transfer fails: the leader is told so and must send again.
        n1.reportSnapshot("n3", false);
        for (int i = 0; i < 10 && net.node("n3").commitIndex() < n1.commitIndex(); i++) {
            net.tick("n1", 1);
            net.stabilize();
            n1.reportSnapshot("n3", true);
        }
        assertThat(net.node("n3").commitIndex()).isEqualTo(n1.commitIndex());
        assertThat(n1.progressOf("n3")).startsWith("REPLICATE");
        net.propose("n1", "after");
        net.stabilize();
        assertThat(net.node("n3").lastIndex()).isEqualTo(n1.lastIndex());
    }

    @Test
    void when_a_learner_is_added_then_it_replicates_without_counting_for_quorum_and_is_promoted_on_request() {
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n1 = net.node("n1");
        net.nodes.put(
                "n4",
                new Raft(
                        new RaftConfig("n4", 1, 10, 20, true, true, 4, 1 << 20, 1 << 20),
                        HardState.EMPTY,
                        List.of(),
                        Membership.EMPTY,
                        new Random(4)));
        net.applied.put("n4", new java.util.ArrayList<>());
        assertThat(n1.proposeConfChange(new ConfChange.AddLearner("n4", "a4", false))
                        .accepted())
                .isTrue();
        net.stabilize();
        net.tick("n1", 1);
        net.stabilize();
        Raft n4 = net.node("n4");
        assertThat(n4.role()).isEqualTo(Role.LEARNER);
        assertThat(n4.lastIndex()).isEqualTo(n1.lastIndex());
        for (int i = 0; i < 30; i++) {
            n4.tick();
        }
        assertThat(n4.role()).as("a learner never campaigns").isEqualTo(Role.LEARNER);

        // With n2 and n3 away, the learner's acknowledgement must not commit anything.
        net.isolated.addAll(List.of("n2", "n3"));
        long index = net.propose("n1", "needs-a-voter");
        net.stabilize();
        assertThat(n1.commitIndex()).isLessThan(index);
        net.isolated.clear();
        for (int i = 0; i < 5; i++) {
            // Appends lost while n2 and n3 were away are resent after unanswered heartbeats.
            net.tick("n1", 1);
            net.stabilize();
        }
        assertThat(n1.commitIndex()).isGreaterThanOrEqualTo(index);

        assertThat(n1.proposeConfChange(new ConfChange.Promote("n4")).accepted())
                .isTrue();
        net.stabilize();
        assertThat(n1.membership().isVoter("n4")).isTrue();
        assertThat(n4.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void changes_are_refused_while_one_is_pending_and_when_they_would_break_the_cluster() {
        var net = TestNetwork.of(1);
        Raft n1 = net.node("n1");
        net.campaign("n1");
        assertThat(n1.proposeConfChange(new ConfChange.Remove("n1")).error()).contains("last voter");
        assertThat(n1.proposeConfChange(new ConfChange.Remove("n9")).error()).contains("not a member");
        assertThat(n1.proposeConfChange(new ConfChange.Promote("n1")).error()).contains("not a learner");
        assertThat(n1.proposeConfChange(new ConfChange.AddLearner("n2", "a2", true))
                        .accepted())
                .isTrue();
        assertThat(n1.proposeConfChange(new ConfChange.AddLearner("n3", "a3", true))
                        .error())
                .contains("in progress");
        assertThat(net.node("n1")
                        .proposeConfChange(new ConfChange.AddLearner("n1", "x", false))
                        .error())
                .isNotNull();
    }

    @Test
    void a_new_leader_may_not_change_membership_before_committing_an_entry_of_its_term() {
        // The single-server change fix (raft-dev, 2015): until the leader's no-op commits, a
        // change could overlap an uncommitted change of a previous leader.
        var net = TestNetwork.of(3);
        net.campaign("n1");
        Raft n1 = net.node("n1");
        for (int i = 0; i < 5 && n1.role() != Role.LEADER; i++) {
            net.deliver();
        }
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        assertThat(n1.proposeConfChange(new ConfChange.Remove("n3")).error()).contains("not committed an entry");
        net.stabilize();
        assertThat(n1.proposeConfChange(new ConfChange.Remove("n3")).accepted()).isTrue();
    }

    @Test
    void when_a_promoted_learner_has_not_seen_its_promotion_then_it_still_votes() {
        // Regression: the promotion entry reached a majority of the new configuration's voters
        // but not the learner itself; the learner's vote is still needed and must be given.
        var learner = new Raft(
                new RaftConfig("n4", 1, 10, 20, true, true, 4, 1 << 20, 1 << 20),
                HardState.EMPTY,
                List.of(),
                new Membership(Map.of("n1", "a1", "n2", "a2", "n3", "a3"), Map.of("n4", "a4")),
                new Random(4));
        assertThat(learner.role()).isEqualTo(Role.LEARNER);
        learner.step(new VoteRequest("n2", "n4", 5, false, 10, 4));
        var reply = (VoteResponse) learner.ready().messages().getLast();
        assertThat(reply.granted()).isTrue();
    }

    @Test
    void when_the_leader_removes_itself_then_it_steps_down_after_the_change_commits() {
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n1 = net.node("n1");
        assertThat(n1.proposeConfChange(new ConfChange.Remove("n1")).accepted()).isTrue();
        net.stabilize();
        assertThat(n1.role()).isNotEqualTo(Role.LEADER);
        assertThat(net.node("n2").membership().voters()).containsOnlyKeys("n2", "n3");
        for (int i = 0;
                i < 40 && net.node("n2").role() != Role.LEADER && net.node("n3").role() != Role.LEADER;
                i++) {
            net.tick("n2", 1);
            net.tick("n3", 1);
            net.stabilize();
        }
        assertThat(List.of(net.node("n2").role(), net.node("n3").role())).contains(Role.LEADER);
        for (int i = 0; i < 40; i++) {
            net.tick("n1", 1);
            net.stabilize();
        }
        assertThat(n1.role()).as("a removed node never campaigns").isNotIn(Role.CANDIDATE, Role.LEADER);
    }

    @Test
    void when_leadership_is_transferred_then_the_target_takes_over_and_proposals_pause_meanwhile() {
        // Dissertation §3.10.
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n1 = net.node("n1");
        assertThat(n1.transferLeadership("n9").message()).contains("not a voter");
        assertThat(n1.transferLeadership("n3")).isNull();
        assertThat(n1.propose(EntryType.COMMAND, "paused".getBytes())).isEqualTo(-1);
        net.stabilize();
        assertThat(net.node("n3").role()).isEqualTo(Role.LEADER);
        assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
        assertThat(net.node("n3").transferLeadership(null)).isNull();
        net.stabilize();
        assertThat(net.nodes.values().stream()
                        .filter(r -> r.role() == Role.LEADER)
                        .count())
                .isEqualTo(1);
    }

    @Test
    void when_a_transfer_times_out_then_the_old_leader_resumes_and_a_late_timeout_now_is_safe() {
        // Regression: the TimeoutNow arrives after the transfer was abandoned and the old leader
        // is serving again; the late election must still leave one leader per term.
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n1 = net.node("n1");
        var held = new java.util.ArrayList<Message>();
        net.drop = m -> {
            if (m instanceof TimeoutNow) {
                held.add(m);
                return true;
            }
            return false;
        };
        assertThat(n1.transferLeadership("n2")).isNull();
        net.stabilize();
        assertThat(held).hasSize(1);
        for (int i = 0; i < 10; i++) {
            net.tick("n1", 1);
            net.stabilize();
        }
        assertThat(n1.leadTransferee()).isNull();
        assertThat(net.propose("n1", "resumed")).isPositive();
        net.stabilize();
        long oldTerm = n1.term();
        net.drop = m -> false;
        net.node("n2").step(held.getFirst());
        net.stabilize();
        assertThat(net.node("n2").role()).isEqualTo(Role.LEADER);
        assertThat(net.node("n2").term()).isGreaterThan(oldTerm);
        assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
        assertThat(net.node("n2").commitIndex()).isGreaterThanOrEqualTo(n1.commitIndex());
    }

    @Test
    void appends_to_a_compacted_position_become_a_snapshot_request() {
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n1 = net.node("n1");
        net.isolated.add("n2");
        for (int i = 0; i < 5; i++) {
            net.propose("n1", "x" + i);
        }
        net.stabilize();
        long applied = n1.appliedIndex();
        n1.snapshotTaken(new SnapshotMeta(applied, n1.termAt(applied), n1.membershipAt(applied)));
        n1.compact(applied);
        net.isolated.clear();
        var sent = new java.util.ArrayList<Message>();
        net.drop = m -> {
            sent.add(m);
            return false;
        };
        for (int i = 0; i < 5; i++) {
            net.tick("n1", 1);
            net.stabilize();
        }
        assertThat(sent).anyMatch(m -> m instanceof SnapshotRequest s && s.to().equals("n2"));
        assertThat(sent)
                .noneMatch(m -> m instanceof AppendRequest a && a.to().equals("n2") && a.prevLogIndex() < applied);
        assertThat(net.node("n2").snapshotIndex()).isEqualTo(applied);
    }
}
