package io.sinkron.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.Message.AppendRequest;
import io.sinkron.consensus.raft.Message.AppendResponse;
import io.sinkron.consensus.raft.Message.HeartbeatRequest;
import io.sinkron.consensus.raft.Message.VoteRequest;
import io.sinkron.consensus.raft.Message.VoteResponse;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Rules of the Raft paper and dissertation, one test per rule, each naming its section. */
class RaftTest {

    @Test
    void when_a_follower_times_out_then_it_wins_an_election_and_commits_a_noop_of_its_term() {
        // §5.2 leader election; §8 "a leader commits a blank no-op entry at the start of its term".
        var net = TestNetwork.of(3);
        net.elect("n1");
        assertThat(net.node("n1").role()).isEqualTo(Role.LEADER);
        assertThat(net.node("n2").leaderId()).isEqualTo("n1");
        assertThat(net.node("n1").commitIndex()).isEqualTo(1);
        assertThat(net.node("n1").entryAt(1).type()).isEqualTo(EntryType.NOOP);
        assertThat(net.node("n1").entryAt(1).term()).isEqualTo(net.node("n1").term());
    }

    @Test
    void when_a_single_node_cluster_campaigns_then_it_leads_and_commits_only_after_persisting() {
        // A cluster of one is a real Raft cluster: its own durable write is the quorum.
        var net = TestNetwork.of(1);
        Raft n1 = net.node("n1");
        for (int i = 0; i < 20 && n1.role() != Role.LEADER; i++) {
            n1.tick();
        }
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        Ready rd = n1.ready();
        assertThat(rd.entries()).hasSize(1);
        assertThat(rd.committedEntries())
                .as("nothing commits before it is on disk")
                .isEmpty();
        n1.advance(rd);
        assertThat(n1.commitIndex()).isEqualTo(1);
    }

    @Test
    void when_a_node_has_voted_in_a_term_then_it_refuses_another_candidate_in_that_term() {
        // §5.2: "each server will vote for at most one candidate in a given term".
        var n1 = single("n1", 3);
        n1.step(new VoteRequest("n2", "n1", 5, false, 0, 0));
        n1.step(new VoteRequest("n3", "n1", 5, false, 0, 0));
        var votes = n1.ready().messages().stream().map(VoteResponse.class::cast).toList();
        assertThat(votes).extracting(VoteResponse::granted).containsExactly(true, false);
        assertThat(n1.votedFor()).isEqualTo("n2");
    }

    @Test
    void when_the_candidate_log_is_behind_then_the_vote_is_refused() {
        // §5.4.1: vote only for a candidate whose log is at least as up to date.
        var voters = new java.util.TreeMap<String, String>(Map.of("n1", "a1", "n2", "a2", "n3", "a3"));
        var n2 = new Raft(
                new RaftConfig("n2", 1, 10, 20, true, true, 4, 1 << 20, 1 << 20),
                new HardState(2, null, 0),
                List.of(entry(1, 1), entry(2, 2)),
                new Membership(voters, Map.of()),
                new Random(1));
        n2.step(new VoteRequest("n3", "n2", 10, false, 5, 1));
        var reply = (VoteResponse) n2.ready().messages().getLast();
        assertThat(reply.granted()).as("higher index but older last term").isFalse();
        n2.step(new VoteRequest("n1", "n2", 10, false, 2, 2));
        assertThat(((VoteResponse) n2.ready().messages().getLast()).granted()).isTrue();
    }

    @Test
    void when_a_partitioned_node_campaigns_with_prevote_then_its_term_does_not_grow() {
        // Dissertation §9.6: PreVote keeps a node that cannot win from inflating terms.
        var net = TestNetwork.of(3);
        net.elect("n1");
        long term = net.node("n3").term();
        net.isolated.add("n3");
        for (int i = 0; i < 10; i++) {
            net.campaign("n3");
            net.stabilize();
        }
        assertThat(net.node("n3").term()).isEqualTo(term);
        net.isolated.clear();
        net.tick("n1", 1);
        net.stabilize();
        assertThat(net.node("n1").role())
                .as("rejoining does not depose the leader")
                .isEqualTo(Role.LEADER);
    }

    @Test
    void when_a_follower_hears_a_live_leader_then_it_ignores_a_disruptive_vote_request() {
        // Dissertation §4.2.3 / §6.2: a vote request within the minimum election timeout of hearing a
        // leader is ignored, so a removed or flapping server cannot disrupt the cluster.
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n2 = net.node("n2");
        long term = n2.term();
        n2.step(new VoteRequest("n3", "n2", term + 5, false, 100, 100));
        assertThat(n2.term()).isEqualTo(term);
        assertThat(n2.ready().messages()).isEmpty();
    }

    @Test
    void when_a_leader_cannot_hear_a_majority_then_it_steps_down() {
        // Dissertation §6.2 check-quorum.
        var net = TestNetwork.of(3);
        net.elect("n1");
        net.isolated.add("n1");
        for (int i = 0; i < 25; i++) {
            net.tick("n1", 1);
            net.deliver();
        }
        assertThat(net.node("n1").role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void when_the_previous_entry_does_not_match_then_the_follower_rejects_with_a_conflict_hint() {
        // §5.3 consistency check; dissertation §5.3 fast backtracking.
        var n2 = single("n2", 3);
        n2.step(new AppendRequest("n1", "n2", 1, 0, 0, List.of(entry(1, 1), entry(1, 2), entry(1, 3)), 0));
        n2.advance(n2.ready());
        n2.step(new AppendRequest("n3", "n2", 2, 5, 2, List.of(), 0));
        var reject = (AppendResponse) n2.ready().messages().getLast();
        assertThat(reject.success()).isFalse();
        assertThat(reject.rejectedIndex()).isEqualTo(5);
        assertThat(reject.conflictIndex())
                .as("log is shorter: retry after its end")
                .isEqualTo(4);
        n2.step(new AppendRequest("n3", "n2", 2, 3, 2, List.of(), 0));
        var reject2 = (AppendResponse) n2.ready().messages().getLast();
        assertThat(reject2.conflictTerm()).isEqualTo(1);
        assertThat(reject2.conflictIndex())
                .as("first index of the conflicting term")
                .isEqualTo(1);
    }

    @Test
    void when_an_entry_conflicts_then_it_and_all_that_follow_are_replaced() {
        // §5.3: "If an existing entry conflicts with a new one, delete the existing entry and all
        // that follow it".
        var n2 = single("n2", 3);
        n2.step(new AppendRequest("n1", "n2", 1, 0, 0, List.of(entry(1, 1), entry(1, 2), entry(1, 3)), 1));
        n2.advance(n2.ready());
        n2.step(new AppendRequest("n3", "n2", 2, 1, 1, List.of(entry(2, 2)), 1));
        Ready rd = n2.ready();
        assertThat(rd.entries())
                .as("the replacement is persisted from the conflict on")
                .containsExactly(entry(2, 2));
        n2.advance(rd);
        assertThat(n2.lastIndex()).isEqualTo(2);
        assertThat(n2.termAt(2)).isEqualTo(2);
    }

    @Test
    void when_an_old_term_entry_is_on_a_majority_then_the_leader_still_does_not_commit_it() {
        // §5.4.2 and Figure 8: only entries of the current term commit by counting replicas.
        var n1 = single("n1", 3);
        // n1 holds an entry of term 2 that it never replicated, then is elected in term 4.
        n1.step(new AppendRequest("n2", "n1", 2, 0, 0, List.of(entry(2, 1)), 0));
        n1.advance(n1.ready());
        for (int i = 0; i < 20 && n1.role() != Role.PRE_CANDIDATE; i++) {
            n1.tick();
        }
        n1.advance(n1.ready());
        n1.step(new VoteResponse("n2", "n1", 3, true, true));
        n1.advance(n1.ready());
        n1.step(new VoteResponse("n2", "n1", 3, false, true));
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        Ready rd = n1.ready();
        n1.advance(rd);
        // n2 acknowledges the term-2 entry only (as if the no-op was not yet received).
        n1.step(new AppendResponse("n2", "n1", 3, true, 1, 0, 0, 0));
        assertThat(n1.commitIndex())
                .as("term 2 entry on a majority, but not committed")
                .isZero();
        n1.step(new AppendResponse("n2", "n1", 3, true, 2, 0, 0, 0));
        assertThat(n1.commitIndex())
                .as("committing the term-3 no-op commits both")
                .isEqualTo(2);
    }

    @Test
    void when_the_leader_has_not_persisted_its_entry_then_it_does_not_count_toward_commit() {
        // Durability: an entry counts toward the leader's own match only once it is on disk.
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n1 = net.node("n1");
        n1.propose(EntryType.COMMAND, "x".getBytes());
        Ready rd = n1.ready();
        long index = rd.entries().getLast().index();
        var append = rd.messages().stream()
                .filter(AppendRequest.class::isInstance)
                .findFirst()
                .orElseThrow();
        assertThat(Ready.isSendableBeforePersist(append)).isTrue();
        n1.step(new AppendResponse("n2", "n1", n1.term(), true, index, 0, 0, 0));
        assertThat(n1.commitIndex())
                .as("one follower's ack is not enough while the leader's copy is not durable")
                .isLessThan(index);
        n1.advance(rd);
        assertThat(n1.commitIndex()).isEqualTo(index);
    }

    @Test
    void when_a_follower_appends_then_its_acknowledgement_waits_for_the_persist_step() {
        var n2 = single("n2", 3);
        n2.step(new AppendRequest("n1", "n2", 1, 0, 0, List.of(entry(1, 1)), 0));
        Ready rd = n2.ready();
        assertThat(rd.entries()).hasSize(1);
        assertThat(rd.mustSync()).isTrue();
        assertThat(rd.messages()).allMatch(m -> !Ready.isSendableBeforePersist(m));
    }

    @Test
    void when_an_entry_commits_then_followers_learn_it_from_a_notice_they_do_not_answer() {
        var net = TestNetwork.of(3);
        net.elect("n1");
        net.stabilize();
        var seen = new java.util.ArrayList<Message>();
        net.drop = m -> {
            seen.add(m);
            return false;
        };
        net.propose("n1", "x");
        net.stabilize();

        long index = net.node("n1").lastIndex();
        assertThat(net.node("n1").commitIndex()).isEqualTo(index);
        assertThat(net.node("n2").commitIndex()).isEqualTo(index);
        assertThat(net.node("n3").commitIndex()).isEqualTo(index);
        var notices = seen.stream()
                .filter(m -> m instanceof AppendRequest a && a.commitNotice())
                .map(AppendRequest.class::cast)
                .toList();
        assertThat(notices).extracting(AppendRequest::to).containsExactlyInAnyOrder("n2", "n3");
        assertThat(notices).allMatch(a -> a.entries().isEmpty() && a.leaderCommit() == index);
        assertThat(seen.stream().filter(AppendResponse.class::isInstance).count())
                .as("each follower answers the append that carried the entry, not the notice")
                .isEqualTo(2);
    }

    @Test
    void when_a_commit_notice_does_not_match_the_follower_log_then_it_is_answered_with_a_rejection() {
        var n2 = single("n2", 3);
        n2.step(new AppendRequest("n1", "n2", 1, 0, 0, List.of(entry(1, 1)), 0));
        n2.advance(n2.ready());
        n2.step(new AppendRequest("n1", "n2", 1, 1, 1, List.of(), 1, true));
        Ready matching = n2.ready();
        assertThat(matching.messages()).as("a matching follower stays silent").isEmpty();
        assertThat(n2.commitIndex()).isEqualTo(1);
        n2.advance(matching);

        n2.step(new AppendRequest("n1", "n2", 1, 3, 1, List.of(), 3, true));
        var reject = (AppendResponse) n2.ready().messages().getLast();
        assertThat(reject.success()).isFalse();
        assertThat(reject.rejectedIndex()).isEqualTo(3);
    }

    @Test
    void when_proposals_arrive_together_then_they_leave_in_one_pipelined_batch() {
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n1 = net.node("n1");
        for (int i = 0; i < 10; i++) {
            n1.propose(EntryType.COMMAND, ("c" + i).getBytes());
        }
        var appends = n1.ready().messages().stream()
                .filter(m -> m instanceof AppendRequest a && a.to().equals("n2"))
                .map(AppendRequest.class::cast)
                .toList();
        assertThat(appends).hasSize(1);
        assertThat(appends.getFirst().entries()).hasSize(10);
    }

    @Test
    void when_the_inflight_window_is_full_then_the_leader_stops_sending_until_acknowledged() {
        var net = TestNetwork.of(3);
        net.elect("n1");
        Raft n1 = net.node("n1");
        int sent = 0;
        for (int i = 0; i < 10; i++) {
            n1.propose(EntryType.COMMAND, ("c" + i).getBytes());
            Ready rd = n1.ready();
            sent += (int) rd.messages().stream()
                    .filter(m -> m instanceof AppendRequest a && a.to().equals("n2"))
                    .count();
            n1.advance(rd);
        }
        assertThat(sent).as("maxInflight is 4").isEqualTo(4);
    }

    @Test
    void when_a_follower_is_far_behind_then_backtracking_takes_one_round_per_term() {
        var net = TestNetwork.of(3);
        net.elect("n1");
        net.isolated.add("n3");
        for (int i = 0; i < 50; i++) {
            net.propose("n1", "x" + i);
            net.deliver();
        }
        net.stabilize();
        net.isolated.clear();
        int[] appendsToN3 = {0};
        net.drop = m -> {
            if (m instanceof AppendRequest a && a.to().equals("n3")) {
                appendsToN3[0]++;
            }
            return false;
        };
        for (int i = 0; i < 5; i++) {
            // Appends lost while n3 was away are noticed after a few unanswered heartbeats.
            net.tick("n1", 1);
            net.stabilize();
        }
        assertThat(net.node("n3").lastIndex()).isEqualTo(net.node("n1").lastIndex());
        assertThat(appendsToN3[0]).isLessThanOrEqualTo(4);
    }

    @Test
    void when_a_read_is_requested_then_it_is_served_only_after_a_majority_confirms_leadership() {
        // Dissertation §6.4 ReadIndex.
        var net = TestNetwork.of(3);
        net.elect("n1");
        net.propose("n1", "x");
        net.stabilize();
        Raft n1 = net.node("n1");
        assertThat(n1.readIndex(42)).isTrue();
        Ready rd = n1.ready();
        assertThat(rd.readStates()).isEmpty();
        assertThat(rd.messages()).anyMatch(HeartbeatRequest.class::isInstance);
        net.queue.addAll(rd.messages());
        n1.advance(rd);
        net.stabilize();
        assertThat(net.readStates).containsExactly(new ReadState(42, n1.commitIndex()));
    }

    @Test
    void when_a_new_leader_has_not_committed_in_its_term_then_reads_wait_for_its_noop() {
        // Dissertation §6.4 step 1.
        var net = TestNetwork.of(3);
        net.campaign("n1");
        Raft n1 = net.node("n1");
        for (int i = 0; i < 5 && n1.role() != Role.LEADER; i++) {
            net.deliver();
        }
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        assertThat(n1.readIndex(7)).isTrue();
        net.flush();
        assertThat(net.readStates).isEmpty();
        net.stabilize();
        assertThat(net.readStates)
                .singleElement()
                .extracting(ReadState::context)
                .isEqualTo(7L);
    }

    @Test
    void when_a_follower_is_asked_for_a_read_index_then_it_refuses() {
        var net = TestNetwork.of(3);
        net.elect("n1");
        assertThat(net.node("n2").readIndex(1)).isFalse();
        assertThat(net.node("n2").propose(EntryType.COMMAND, new byte[1])).isEqualTo(-1);
    }

    @Test
    void when_a_stale_leader_sends_appends_then_it_learns_the_new_term_and_steps_down() {
        var net = TestNetwork.of(3);
        net.elect("n1");
        net.isolated.add("n1");
        for (int i = 0;
                i < 100
                        && net.node("n2").role() != Role.LEADER
                        && net.node("n3").role() != Role.LEADER;
                i++) {
            net.tick("n2", 1);
            net.tick("n3", 1);
            net.deliver();
        }
        net.stabilize();
        assertThat(List.of(net.node("n2").role(), net.node("n3").role())).contains(Role.LEADER);
        net.isolated.clear();
        net.propose("n1", "stale");
        net.stabilize();
        assertThat(net.node("n1").role()).isEqualTo(Role.FOLLOWER);
        assertThat(net.node("n1").leaderId()).isIn("n2", "n3", null);
    }

    private static Entry entry(long term, long index) {
        return new Entry(term, index, EntryType.COMMAND, ("e" + index + "t" + term).getBytes());
    }

    private static Raft single(String id, int size) {
        var voters = new java.util.TreeMap<String, String>();
        for (int i = 1; i <= size; i++) {
            voters.put("n" + i, "addr" + i);
        }
        return new Raft(
                new RaftConfig(id, 1, 10, 20, true, true, 4, 1 << 20, 1 << 20),
                HardState.EMPTY,
                List.of(),
                new Membership(voters, Map.of()),
                new Random(1));
    }
}
