package io.sinkron.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.LeaderHint;
import io.sinkron.proto.ReadConsistency;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ReadResponse;
import io.sinkron.proto.ResultCode;
import io.sinkron.proto.StatusResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsensusClientTest {

    private FakeCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    @Test
    void followsNotLeaderHintToTheLeaderAndSticksWithIt() {
        cluster = new FakeCluster(3).startAll();
        FakeNode leader = cluster.node(2);
        cluster.node(0).onSubmit = (request, observer) -> FakeNode.reply(observer, FakeNode.notLeader(leader));
        cluster.node(1).onSubmit = (request, observer) -> FakeNode.reply(observer, FakeNode.notLeader(leader));
        ConsensusClient client = cluster.client();

        for (int i = 0; i < 5; i++) {
            assertThat(client.submit("kv", bytes("put " + i))).asString(UTF_8).isEqualTo("put " + i);
        }

        assertThat(leader.submittedSequences()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(cluster.node(0).submits.size() + cluster.node(1).submits.size())
                .as("only the first attempt went to a follower")
                .isEqualTo(1);
    }

    @Test
    void whenAFollowerForwardsAndAnswersOkWithAHint_thenLaterCallsGoToTheLeaderDirectly() {
        cluster = new FakeCluster(2).startAll();
        FakeNode follower = cluster.node(0);
        FakeNode leader = cluster.node(1);
        follower.onSubmit = (request, observer) -> FakeNode.reply(
                observer,
                FakeNode.ok(request.getPayload()).toBuilder()
                        .setLeaderHint(FakeNode.notLeader(leader).getLeaderHint())
                        .build());
        ConsensusClient client = cluster.client();

        for (int i = 0; i < 4; i++) {
            assertThat(client.submit("kv", bytes("put " + i))).asString(UTF_8).isEqualTo("put " + i);
        }

        assertThat(follower.submittedSequences())
                .as("only the first call went through the forwarding follower")
                .containsExactly(1L);
        assertThat(leader.submittedSequences()).containsExactly(2L, 3L, 4L);
    }

    @Test
    void hintNamingAnUnconfiguredNodeOpensAChannelToIt() {
        cluster = new FakeCluster(2).startAll();
        FakeNode configured = cluster.node(0);
        FakeNode newLeader = cluster.node(1);
        configured.onSubmit = (request, observer) -> FakeNode.reply(observer, FakeNode.notLeader(newLeader));
        ConsensusClient client = cluster.client(cluster.config(List.of(configured)));

        assertThat(client.submit("kv", bytes("x"))).asString(UTF_8).isEqualTo("x");
        assertThat(client.submit("kv", bytes("y"))).asString(UTF_8).isEqualTo("y");

        assertThat(newLeader.submittedSequences()).containsExactly(1L, 2L);
        assertThat(configured.submittedSequences()).containsExactly(1L);
    }

    @Test
    void retriesAfterTimeoutWithTheSameSequence() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        Set<Long> timedOutOnce = ConcurrentHashMap.newKeySet();
        node.onSubmit = (request, observer) -> FakeNode.reply(
                observer,
                timedOutOnce.add(request.getSequence())
                        ? FakeNode.answer(ResultCode.RESULT_CODE_TIMEOUT)
                        : FakeNode.ok(request.getPayload()));
        ConsensusClient client = cluster.client();

        client.submit("kv", bytes("a"));
        client.submit("kv", bytes("b"));

        assertThat(node.submits)
                .extracting(CommandRequest::getClientId, CommandRequest::getSequence)
                .containsExactly(
                        tuple(client.clientId(), 1L),
                        tuple(client.clientId(), 1L),
                        tuple(client.clientId(), 2L),
                        tuple(client.clientId(), 2L));
        assertThat(node.submits)
                .extracting(CommandRequest::getPayload)
                .containsExactly(
                        ByteString.copyFromUtf8("a"),
                        ByteString.copyFromUtf8("a"),
                        ByteString.copyFromUtf8("b"),
                        ByteString.copyFromUtf8("b"));
    }

    @Test
    void retriesOnAnotherNodeWithTheSameSequenceWhenANodeFails() {
        cluster = new FakeCluster(2).startAll();
        FakeNode failing = cluster.node(0);
        FakeNode healthy = cluster.node(1);
        failing.onSubmit = (request, observer) -> observer.onError(
                Status.UNAVAILABLE.withDescription("node is dying").asRuntimeException());
        ConsensusClient client = cluster.client();

        client.submit("kv", bytes("a"));
        client.submit("kv", bytes("b"));

        assertThat(failing.submittedSequences()).containsExactly(1L);
        assertThat(healthy.submittedSequences())
                .as("retry of 1 on the healthy node, then 2 straight there: the failed node is down")
                .containsExactly(1L, 2L);
        assertThat(healthy.submits).extracting(CommandRequest::getClientId).containsOnly(client.clientId());
    }

    @Test
    void retriesPastANodeThatIsNotRunning() {
        cluster = new FakeCluster(2);
        cluster.node(1).start();
        ConsensusClient client = cluster.client();

        assertThat(client.submit("kv", bytes("a"))).asString(UTF_8).isEqualTo("a");
        assertThat(cluster.node(1).submittedSequences()).containsExactly(1L);
    }

    @Test
    void ackedSequenceAdvancesOnlyOverTheContiguousPrefixOfFinishedCalls() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        List<StreamObserver<CommandResponse>> held = new ArrayList<>();
        node.onSubmit = (request, observer) -> {
            if (request.getPayload().toStringUtf8().equals("hold")) {
                synchronized (held) {
                    held.add(observer);
                }
            } else {
                FakeNode.reply(observer, FakeNode.ok(request.getPayload()));
            }
        };
        ConsensusClient client = cluster.client(cluster.config().withAttemptTimeout(Duration.ofSeconds(5)));

        CompletableFuture<byte[]> first = client.submitAsync("kv", bytes("hold"));
        await().until(() -> node.submits.size() == 1);
        client.submit("kv", bytes("second"));
        client.submit("kv", bytes("third"));
        client.submit("kv", bytes("fourth"));
        synchronized (held) {
            FakeNode.reply(held.getFirst(), FakeNode.ok(ByteString.copyFromUtf8("first")));
        }
        assertThat(first.join()).asString(UTF_8).isEqualTo("first");
        client.submit("kv", bytes("fifth"));

        Map<Long, Long> ackedBySequence = new HashMap<>();
        node.submits.forEach(request -> ackedBySequence.put(request.getSequence(), request.getAckedSequence()));
        assertThat(ackedBySequence)
                .as("sequence 1 is pending while 2..4 finish, so nothing is acknowledged until it does")
                .containsEntry(1L, 0L)
                .containsEntry(2L, 0L)
                .containsEntry(3L, 0L)
                .containsEntry(4L, 0L)
                .containsEntry(5L, 4L);
    }

    @Test
    void survivesTheLossOfANodeWhileCallsAreRunning() throws Exception {
        cluster = new FakeCluster(3).startAll();
        ConsensusClient client = cluster.client();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger completed = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 4; t++) {
                threads.submit(() -> {
                    while (running.get()) {
                        try {
                            client.submit("kv", bytes("x"));
                            completed.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                });
            }
            FakeNode first = cluster.node(0);
            await().until(() -> first.submits.size() >= 20);
            first.close();
            int afterLoss = completed.get();
            await().until(() -> completed.get() >= afterLoss + 50);
            running.set(false);
        }

        assertThat(failures).isEmpty();
        assertThat(cluster.node(1).submits.size() + cluster.node(2).submits.size())
                .isPositive();
    }

    @Test
    void deadlineExceededWithinBoundedTimeWhenEveryAttemptTimesOut() {
        cluster = new FakeCluster(2).startAll();
        cluster.nodes.forEach(node -> node.onSubmit =
                (request, observer) -> FakeNode.reply(observer, FakeNode.answer(ResultCode.RESULT_CODE_TIMEOUT)));
        ConsensusClient client = cluster.client();

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.submit("kv", bytes("x"), Duration.ofMillis(300)))
                .isInstanceOfSatisfying(
                        ConsensusException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConsensusException.Reason.DEADLINE_EXCEEDED))
                .hasMessageContaining("RESULT_CODE_TIMEOUT");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofMillis(300), Duration.ofSeconds(2));
        assertThat(cluster.nodes.stream().flatMap(node -> node.submits.stream()))
                .extracting(CommandRequest::getSequence)
                .hasSizeGreaterThan(1)
                .containsOnly(1L);
    }

    @Test
    void deadlineExceededWhenNoNodeIsReachable() {
        cluster = new FakeCluster(3);
        ConsensusClient client = cluster.client();

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.submit("kv", bytes("x"), Duration.ofMillis(200)))
                .isInstanceOfSatisfying(
                        ConsensusException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConsensusException.Reason.DEADLINE_EXCEEDED))
                .hasRootCauseInstanceOf(StatusRuntimeException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void hungNodeCostsOneAttemptTimeoutNotTheWholeDeadline() {
        cluster = new FakeCluster(2).startAll();
        cluster.node(0).onSubmit = (request, observer) -> {};
        ConsensusClient client = cluster.client(cluster.config().withAttemptTimeout(Duration.ofMillis(200)));

        assertThat(client.submit("kv", bytes("x"), Duration.ofSeconds(5)))
                .asString(UTF_8)
                .isEqualTo("x");
        assertThat(cluster.node(0).submits.iterator().next().getTimeoutMs())
                .as("the node is asked to answer before the transport deadline")
                .isBetween(1L, 200L);
        assertThat(cluster.node(1).submittedSequences()).containsExactly(1L);
    }

    @Test
    void invalidIsNotRetried() {
        cluster = new FakeCluster(2).startAll();
        cluster.nodes.forEach(node -> node.onSubmit =
                (request, observer) -> FakeNode.reply(observer, FakeNode.answer(ResultCode.RESULT_CODE_INVALID)));
        ConsensusClient client = cluster.client();

        assertThatThrownBy(() -> client.submit("nope", bytes("x")))
                .isInstanceOfSatisfying(
                        ConsensusException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConsensusException.Reason.INVALID))
                .hasMessageContaining("fake RESULT_CODE_INVALID");
        assertThat(cluster.node(0).submits.size() + cluster.node(1).submits.size())
                .isEqualTo(1);
    }

    @Test
    void aMemberTheClusterReportsFailedIsSkipped() {
        cluster = new FakeCluster(2).startAll();
        FakeNode healthy = cluster.node(0);
        FakeNode failed = cluster.node(1);
        var status = io.sinkron.proto.StatusResponse.newBuilder()
                .setNodeId("a")
                .addMembers(io.sinkron.proto.MemberStatus.newBuilder()
                        .setNodeId("a")
                        .setAddress(healthy.address.toString())
                        .setFailureState("ALIVE"))
                .addMembers(io.sinkron.proto.MemberStatus.newBuilder()
                        .setNodeId("b")
                        .setAddress(failed.address.toString())
                        .setFailureState("FAILED"))
                .build();
        healthy.status = status;
        failed.status = status;
        ConsensusClient client = cluster.client();

        client.status();
        for (int i = 0; i < 10; i++) {
            client.submit("kv", bytes("x" + i));
        }
        assertThat(failed.submittedSequences())
                .as("the FAILED member gets no command")
                .isEmpty();
        assertThat(healthy.submittedSequences()).hasSize(10);
    }

    @Test
    void anExpiredSessionOnTheFirstAttemptOpensANewSessionAndResubmits() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        var clientIds = new java.util.concurrent.CopyOnWriteArrayList<String>();
        node.onSubmit = (request, observer) -> {
            clientIds.add(request.getClientId());
            FakeNode.reply(
                    observer,
                    clientIds.size() == 1
                            ? FakeNode.answer(ResultCode.RESULT_CODE_SESSION_EXPIRED)
                            : FakeNode.ok(request.getPayload()));
        };
        ConsensusClient client = cluster.client();
        String first = client.clientId();

        assertThat(client.submit("kv", bytes("x"))).isEqualTo(bytes("x"));
        assertThat(clientIds).hasSize(2);
        assertThat(clientIds.get(1)).isNotEqualTo(first).isEqualTo(client.clientId());
        assertThat(node.submittedSequences()).as("the new session starts over").containsExactly(1L, 1L);
    }

    @Test
    void anExpiredSessionAfterARetryLeavesTheOutcomeUnknownAndFails() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        var attempts = new java.util.concurrent.atomic.AtomicInteger();
        node.onSubmit = (request, observer) -> FakeNode.reply(
                observer,
                attempts.incrementAndGet() == 1
                        ? FakeNode.answer(ResultCode.RESULT_CODE_TIMEOUT)
                        : FakeNode.answer(ResultCode.RESULT_CODE_SESSION_EXPIRED));
        ConsensusClient client = cluster.client();

        assertThatThrownBy(() -> client.submit("kv", bytes("x")))
                .isInstanceOfSatisfying(
                        ConsensusException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConsensusException.Reason.SESSION_EXPIRED));
        assertThat(node.submittedSequences()).containsExactly(1L, 1L);
    }

    @Test
    void givesUpAsUnavailableAfterMaxAttempts() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        node.onSubmit =
                (request, observer) -> FakeNode.reply(observer, FakeNode.answer(ResultCode.RESULT_CODE_UNAVAILABLE));
        ConsensusClient client = cluster.client(cluster.config().withMaxAttempts(3));

        assertThatThrownBy(() -> client.submit("kv", bytes("x")))
                .isInstanceOfSatisfying(
                        ConsensusException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConsensusException.Reason.UNAVAILABLE));
        assertThat(node.submittedSequences()).containsExactly(1L, 1L, 1L);
    }

    @Test
    void concurrentSubmitsAllCompleteWithUniqueSequences() throws Exception {
        cluster = new FakeCluster(3).startAll();
        FakeNode leader = cluster.node(1);
        cluster.node(0).onSubmit = (request, observer) -> FakeNode.reply(observer, FakeNode.notLeader(leader));
        cluster.node(2).onSubmit = (request, observer) -> FakeNode.reply(observer, FakeNode.notLeader(leader));
        ConsensusClient client = cluster.client();

        List<Future<byte[]>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                String payload = "cmd-" + i;
                results.add(threads.submit(
                        () -> client.submitAsync("kv", bytes(payload)).join()));
            }
        }
        for (int i = 0; i < 200; i++) {
            assertThat(results.get(i).get()).asString(UTF_8).isEqualTo("cmd-" + i);
        }

        List<Long> sequences = leader.submittedSequences();
        assertThat(new HashSet<>(sequences))
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, 200).boxed().toList());
        assertThat(leader.submits)
                .as("each sequence carries one payload")
                .allSatisfy(request -> assertThat(leader.submits.stream()
                                .filter(other -> other.getSequence() == request.getSequence())
                                .map(CommandRequest::getPayload)
                                .distinct())
                        .hasSize(1));
    }

    @Test
    void readsAreLinearizableByDefaultAndStaleOnRequest() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        ConsensusClient client = cluster.client();

        assertThat(client.read("kv", bytes("get a"))).asString(UTF_8).isEqualTo("get a");
        assertThat(client.readStale("kv", bytes("get b"))).asString(UTF_8).isEqualTo("get b");
        assertThat(client.readAsync("kv", bytes("get c")).join())
                .asString(UTF_8)
                .isEqualTo("get c");

        assertThat(node.reads)
                .extracting(ReadRequest::getConsistency)
                .containsExactly(
                        ReadConsistency.READ_CONSISTENCY_LINEARIZABLE,
                        ReadConsistency.READ_CONSISTENCY_STALE,
                        ReadConsistency.READ_CONSISTENCY_LINEARIZABLE);
        assertThat(node.reads).extracting(ReadRequest::getGroupId).containsOnly("default");
    }

    @Test
    void callsShareOneMultiplexedStreamPerNode() throws Exception {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        ConsensusClient client = cluster.client();

        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(client.submitAsync("kv", bytes("c" + i)));
            calls.add(client.readAsync("kv", bytes("r" + i)));
        }
        for (int i = 0; i < 50; i++) {
            assertThat(calls.get(2 * i).get(5, TimeUnit.SECONDS))
                    .asString(UTF_8)
                    .isEqualTo("c" + i);
            assertThat(calls.get(2 * i + 1).get(5, TimeUnit.SECONDS))
                    .asString(UTF_8)
                    .isEqualTo("r" + i);
        }
        assertThat(node.multiplexedStreams).hasSize(1);
        assertThat(node.submittedSequences())
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, 50).boxed().toList());
    }

    @Test
    void aNodeWithoutTheMultiplexedStreamIsServedByUnaryCalls() {
        cluster = new FakeCluster(1);
        FakeNode node = cluster.node(0);
        node.multiplex = false;
        node.start();
        ConsensusClient client = cluster.client();

        assertThat(client.submit("kv", bytes("a"))).asString(UTF_8).isEqualTo("a");
        assertThat(client.read("kv", bytes("b"))).asString(UTF_8).isEqualTo("b");
        assertThat(client.submit("kv", bytes("c"))).asString(UTF_8).isEqualTo("c");

        assertThat(node.submittedSequences())
                .as("the refused stream costs no attempt and no sequence")
                .containsExactly(1L, 2L);
        assertThat(node.reads).hasSize(1);
        assertThat(node.multiplexedStreams).isEmpty();
    }

    @Test
    void aStreamThatStopsAnsweringIsReplacedAfterTheAttemptDeadline() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        AtomicInteger seen = new AtomicInteger();
        node.onSubmit = (request, observer) -> {
            if (seen.incrementAndGet() > 1) {
                FakeNode.reply(observer, FakeNode.ok(request.getPayload()));
            }
        };
        ConsensusClient client = cluster.client(cluster.config().withAttemptTimeout(Duration.ofMillis(200)));

        long start = System.nanoTime();
        assertThat(client.submit("kv", bytes("x"), Duration.ofSeconds(5)))
                .asString(UTF_8)
                .isEqualTo("x");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("one attempt deadline, not the call's")
                .isBetween(Duration.ofMillis(190), Duration.ofSeconds(3));
        assertThat(node.submittedSequences()).containsExactly(1L, 1L);
        assertThat(node.multiplexedStreams)
                .as("the silent stream was cancelled and the retry went out on a new one")
                .hasSize(2);
        assertThat(node.multiplexedStreams.peek().isCancelled()).isTrue();
    }

    @Test
    void readFollowsLeaderHint() {
        cluster = new FakeCluster(2).startAll();
        FakeNode leader = cluster.node(1);
        cluster.node(0).onRead = request -> ReadResponse.newBuilder()
                .setCode(ResultCode.RESULT_CODE_NOT_LEADER)
                .setLeaderHint(LeaderHint.newBuilder().setAddress(leader.address.toString()))
                .build();
        ConsensusClient client = cluster.client();

        assertThat(client.read("kv", bytes("q"))).asString(UTF_8).isEqualTo("q");
        assertThat(leader.reads).hasSize(1);
    }

    @Test
    void statusComesFromAReachableNodeAndTeachesTheLeader() {
        cluster = new FakeCluster(3);
        cluster.node(1).start();
        cluster.node(2).start();
        FakeNode leader = cluster.node(2);
        cluster.node(1).status = StatusResponse.newBuilder()
                .setNodeId("n1")
                .setRole("FOLLOWER")
                .setLeader(LeaderHint.newBuilder().setNodeId("n2").setAddress(leader.address.toString()))
                .build();
        ConsensusClient client = cluster.client();

        assertThat(client.status().getNodeId()).isEqualTo("n1");
        client.submit("kv", bytes("x"));

        assertThat(leader.submittedSequences()).containsExactly(1L);
        assertThat(cluster.node(1).submits).isEmpty();
    }

    @Test
    void statusFailsAsUnavailableWhenNoNodeAnswers() {
        cluster = new FakeCluster(2);
        ConsensusClient client = cluster.client();

        assertThatThrownBy(client::status).isInstanceOfSatisfying(ConsensusException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConsensusException.Reason.UNAVAILABLE);
            assertThat(e.getSuppressed()).hasSize(2);
        });
    }

    @Test
    void closeFailsRunningCallsAndRejectsNewOnes() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        node.onSubmit = (request, observer) -> {};
        ConsensusClient client = cluster.client();

        CompletableFuture<byte[]> pending = client.submitAsync("kv", bytes("x"));
        await().until(() -> !node.submits.isEmpty());
        client.close();

        assertThat(pending)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOfSatisfying(
                        ConsensusException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConsensusException.Reason.CLOSED));
        assertThatThrownBy(() -> client.submit("kv", bytes("y")))
                .isInstanceOfSatisfying(
                        ConsensusException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConsensusException.Reason.CLOSED));
    }

    @Test
    void sendsConfiguredGroupAndStableClientId() {
        cluster = new FakeCluster(1).startAll();
        FakeNode node = cluster.node(0);
        ConsensusClient client = cluster.client(cluster.config().withGroupId("g7"));
        ConsensusClient other = cluster.client(cluster.config().withGroupId("g7"));

        client.submit("kv", bytes("a"));
        client.submit("kv", bytes("b"));
        other.submit("kv", bytes("c"));

        assertThat(node.submits).extracting(CommandRequest::getGroupId).containsOnly("g7");
        assertThat(node.submits)
                .extracting(CommandRequest::getClientId)
                .containsExactly(client.clientId(), client.clientId(), other.clientId());
        assertThat(client.clientId()).isNotEqualTo(other.clientId());
    }
}
