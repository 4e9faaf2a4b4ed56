package io.sinkron.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.sinkron.proto.Event;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventSubscriptionTest {

    private FakeCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Event event(long index) {
        return Event.newBuilder()
                .setStateMachine("lock")
                .setIndex(index)
                .setPayload(ByteString.copyFromUtf8("e" + index))
                .build();
    }

    @Test
    void deliversEventsAndResubscribesAfterTheStreamBreaks() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        ConsensusClient client = cluster.client();
        List<Long> received = new CopyOnWriteArrayList<>();
        AtomicInteger reconnects = new AtomicInteger();

        Subscription subscription =
                client.events(Set.of("lock"), event -> received.add(event.getIndex()), reconnects::incrementAndGet);
        await().until(subscription::isConnected);
        assertThat(node.eventRequests.peek().getStateMachinesList()).containsExactly("lock");
        node.emit(event(1));
        await().until(() -> received.contains(1L));
        assertThat(reconnects).hasValue(0);

        node.breakStreams();
        await().until(() -> reconnects.get() == 1 && node.liveStreams() == 1);
        assertThat(subscription.isConnected()).isTrue();
        node.emit(event(2));
        await().until(() -> received.contains(2L));

        assertThat(received).containsExactly(1L, 2L);
        assertThat(node.eventRequests).hasSize(2);
    }

    @Test
    void resubscribesOnAnotherNodeWhenTheStreamingNodeDies() {
        cluster = new FakeCluster(2).startAll();
        ConsensusClient client = cluster.client();
        List<Long> received = new CopyOnWriteArrayList<>();
        AtomicInteger reconnects = new AtomicInteger();

        Subscription subscription =
                client.events(Set.of(), event -> received.add(event.getIndex()), reconnects::incrementAndGet);
        await().until(subscription::isConnected);
        FakeNode streaming = cluster.nodes.stream()
                .filter(node -> node.liveStreams() == 1)
                .findFirst()
                .orElseThrow();
        FakeNode survivor = streaming == cluster.node(0) ? cluster.node(1) : cluster.node(0);

        streaming.close();
        await().until(() -> reconnects.get() == 1 && survivor.liveStreams() == 1);
        survivor.emit(event(7));
        await().until(() -> received.contains(7L));
    }

    @Test
    void closedSubscriptionStopsItsStreamAndDoesNotResubscribe() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        ConsensusClient client = cluster.client();
        List<Long> received = new CopyOnWriteArrayList<>();

        Subscription subscription = client.events(Set.of("lock"), event -> received.add(event.getIndex()));
        await().until(subscription::isConnected);
        subscription.close();

        await().until(() -> node.liveStreams() == 0);
        assertThat(subscription.isConnected()).isFalse();
        node.emit(event(1));
        client.submit("kv", new byte[] {1});
        assertThat(node.eventRequests).hasSize(1);
        assertThat(received).isEmpty();
    }

    @Test
    void listenerFailureDoesNotEndTheStream() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        ConsensusClient client = cluster.client();
        List<Long> received = new CopyOnWriteArrayList<>();

        Subscription subscription = client.events(Set.of(), event -> {
            received.add(event.getIndex());
            if (event.getIndex() == 1) {
                throw new IllegalStateException("listener bug");
            }
        });
        await().until(subscription::isConnected);
        node.emit(event(1));
        node.emit(event(2));

        await().until(() -> received.size() == 2);
        assertThat(node.eventRequests).hasSize(1);
    }

    /** A subscription on one of two nodes, whose client has learnt that the other one leads. */
    private record Watched(
            EventStream stream, List<Long> received, AtomicInteger reconnects, FakeNode follower, FakeNode leader) {}

    private Watched subscribedWhileTheOtherNodeLeads() {
        cluster = new FakeCluster(2).startAll();
        ConsensusClient client = cluster.client();
        List<Long> received = new CopyOnWriteArrayList<>();
        AtomicInteger reconnects = new AtomicInteger();
        Subscription subscription =
                client.events(Set.of(), event -> received.add(event.getIndex()), reconnects::incrementAndGet);
        await().until(subscription::isConnected);
        FakeNode follower = cluster.nodes.stream()
                .filter(node -> node.liveStreams() == 1)
                .findFirst()
                .orElseThrow();
        FakeNode leader = follower == cluster.node(0) ? cluster.node(1) : cluster.node(0);
        // The client learns the leader from a hint: the follower refuses, the leader names itself.
        follower.onSubmit = (request, observer) -> FakeNode.reply(observer, FakeNode.notLeader(leader));
        leader.onSubmit = (request, observer) -> FakeNode.reply(
                observer,
                FakeNode.ok(request.getPayload()).toBuilder()
                        .setLeaderHint(FakeNode.notLeader(leader).getLeaderHint())
                        .build());
        client.submit("kv", new byte[] {1});
        return new Watched((EventStream) subscription, received, reconnects, follower, leader);
    }

    @Test
    void streamOnAFollowerMovesToTheLeaderOnceTheClientKnowsIt() {
        Watched w = subscribedWhileTheOtherNodeLeads();

        w.follower().emit(event(1));

        await().until(() -> w.leader().liveStreams() == 1 && w.follower().liveStreams() == 0);
        await().until(() -> w.reconnects().get() == 1);
        assertThat(w.stream().isConnected()).isTrue();
        w.leader().emit(event(2));
        await().until(() -> w.received().contains(2L));
        w.follower().emit(event(3));
        w.leader().emit(event(4));
        await().until(() -> w.received().contains(4L));
        assertThat(w.received()).containsExactly(1L, 2L, 4L);
        assertThat(w.leader().eventRequests).hasSize(1);
        assertThat(w.stream().movesStarted()).isEqualTo(1);
    }

    @Test
    void streamStaysWhereItIsWhenTheLeaderCannotTakeIt() {
        Watched w = subscribedWhileTheOtherNodeLeads();
        w.leader().close();

        w.follower().emit(event(1));
        await().until(() -> w.received().contains(1L));
        await().until(() -> w.stream().movesStarted() == 1 && !w.stream().moveUnderWay());
        w.follower().emit(event(2));
        await().until(() -> w.received().contains(2L));

        assertThat(w.follower().liveStreams()).isEqualTo(1);
        assertThat(w.received()).containsExactly(1L, 2L);
        assertThat(w.reconnects()).hasValue(0);
        assertThat(w.stream().isConnected()).isTrue();
    }
}
