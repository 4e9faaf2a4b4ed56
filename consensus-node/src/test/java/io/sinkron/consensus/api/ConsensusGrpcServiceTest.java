package io.sinkron.consensus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.consensus.failure.FailureDetectorConfig;
import io.sinkron.consensus.failure.FailureDetectorRegistry;
import io.sinkron.consensus.failure.FailureListener;
import io.sinkron.consensus.node.DriverListener;
import io.sinkron.consensus.node.EventBus;
import io.sinkron.consensus.node.RaftDriver;
import io.sinkron.consensus.node.StateMachines;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.storage.WalOptions;
import io.sinkron.consensus.storage.WalRaftStorage;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.KvQuery;
import io.sinkron.proto.KvResult;
import io.sinkron.proto.MultiplexedRequest;
import io.sinkron.proto.MultiplexedResponse;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ResultCode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client API of a one-node group served in-process: the Multiplex stream beside the unary calls. */
class ConsensusGrpcServiceTest {

    private static final AtomicInteger SERVERS = new AtomicInteger();

    @TempDir
    Path dir;

    private RaftDriver driver;
    private LeaderForwarder forwarder;
    private Server server;
    private ManagedChannel channel;
    private String name;
    private final Queue<String> methods = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        driver = new RaftDriver(
                new RaftDriver.Settings(
                        "default",
                        RaftConfig.defaults("n1").withTicks(2, 15, 30),
                        Duration.ofMillis(10),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(1)),
                WalRaftStorage.open(dir.resolve("n1"), WalOptions.DEFAULTS),
                new Membership(new TreeMap<>(Map.of("n1", "in-process:1")), Map.of()),
                StateMachines.create(60_000),
                (group, message) -> {},
                Clock.systemUTC(),
                new Random(1),
                new EventBus(),
                new DriverListener() {});
        driver.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> driver.status().isLeader() && driver.status().commitIndex() > 0);
        forwarder = new LeaderForwarder();
        var service = new ConsensusGrpcService(
                driver,
                forwarder,
                new AdminService(driver, forwarder),
                new EventBus(),
                new FailureDetectorRegistry(FailureDetectorConfig.defaults(), () -> 0L, new FailureListener() {}));
        ServerInterceptor recordMethods = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                methods.add(call.getMethodDescriptor().getBareMethodName());
                return next.startCall(call, headers);
            }
        };
        name = "grpc-service-test-" + SERVERS.incrementAndGet() + ":1";
        server = InProcessServerBuilder.forName(name)
                .directExecutor()
                .addService(ServerInterceptors.intercept(service, new EagerHeaders(), recordMethods))
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        forwarder.close();
        driver.close();
    }

    @Test
    void when_submits_and_reads_share_one_stream_then_each_answer_carries_its_call_id() {
        var answers = new ConcurrentLinkedQueue<MultiplexedResponse>();
        StreamObserver<MultiplexedRequest> stream =
                ConsensusGrpc.newStub(channel).multiplex(collect(answers));
        for (long sequence = 1; sequence <= 40; sequence++) {
            stream.onNext(MultiplexedRequest.newBuilder()
                    .setCallId(1000 + sequence)
                    .setSubmit(put("c", sequence, "k" + sequence, "v" + sequence))
                    .build());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> answers.size() == 40);
        stream.onNext(
                MultiplexedRequest.newBuilder().setCallId(7).setRead(get("k17")).build());
        await().atMost(Duration.ofSeconds(20)).until(() -> answers.size() == 41);
        stream.onCompleted();

        assertThat(answers)
                .extracting(MultiplexedResponse::getCallId)
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.concat(LongStream.rangeClosed(1001, 1040), LongStream.of(7))
                                .boxed()
                                .toList());
        assertThat(answers.stream().filter(MultiplexedResponse::hasSubmit))
                .allSatisfy(a -> assertThat(a.getSubmit().getCode()).isEqualTo(ResultCode.RESULT_CODE_OK));
        MultiplexedResponse read =
                answers.stream().filter(a -> a.getCallId() == 7).findFirst().orElseThrow();
        assertThat(read.getRead().getCode()).isEqualTo(ResultCode.RESULT_CODE_OK);
        assertThat(parse(read.getRead().getResult()).getValue().toStringUtf8()).isEqualTo("v17");
    }

    @Test
    void when_a_command_is_sent_again_on_the_stream_with_its_sequence_then_it_is_applied_once() {
        var answers = new ConcurrentLinkedQueue<MultiplexedResponse>();
        StreamObserver<MultiplexedRequest> stream =
                ConsensusGrpc.newStub(channel).multiplex(collect(answers));
        stream.onNext(MultiplexedRequest.newBuilder()
                .setCallId(1)
                .setSubmit(put("c", 1, "k", "first"))
                .build());
        await().atMost(Duration.ofSeconds(20)).until(() -> answers.size() == 1);
        stream.onNext(MultiplexedRequest.newBuilder()
                .setCallId(2)
                .setSubmit(put("c", 1, "k", "first"))
                .build());
        await().atMost(Duration.ofSeconds(20)).until(() -> answers.size() == 2);

        List<CommandResponse> both =
                answers.stream().map(MultiplexedResponse::getSubmit).toList();
        assertThat(both).extracting(CommandResponse::getCode).containsOnly(ResultCode.RESULT_CODE_OK);
        assertThat(parse(both.get(1).getResult()).getRevision())
                .as("the retry is answered with the first result (the first write's revision), not applied again")
                .isEqualTo(parse(both.get(0).getResult()).getRevision());
    }

    @Test
    void an_empty_request_and_an_unknown_group_are_answered_invalid_on_the_stream() {
        var answers = new ConcurrentLinkedQueue<MultiplexedResponse>();
        StreamObserver<MultiplexedRequest> stream =
                ConsensusGrpc.newStub(channel).multiplex(collect(answers));
        stream.onNext(MultiplexedRequest.newBuilder().setCallId(1).build());
        stream.onNext(MultiplexedRequest.newBuilder()
                .setCallId(2)
                .setSubmit(put("c", 1, "k", "v").toBuilder().setGroupId("elsewhere"))
                .build());
        await().atMost(Duration.ofSeconds(20)).until(() -> answers.size() == 2);

        assertThat(answers)
                .extracting(MultiplexedResponse::getCallId, a -> a.getSubmit().getCode())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(1L, ResultCode.RESULT_CODE_INVALID),
                        org.assertj.core.groups.Tuple.tuple(2L, ResultCode.RESULT_CODE_INVALID));
    }

    @Test
    void the_client_sends_its_commands_and_reads_over_the_stream() {
        try (var client = new ConsensusClient(
                ConsensusClientConfig.parse(name),
                address -> InProcessChannelBuilder.forName(name).build())) {
            for (int i = 0; i < 20; i++) {
                client.submit(
                        "kv",
                        KvCommand.newBuilder()
                                .setPut(KvPut.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v" + i)))
                                .build()
                                .toByteArray());
            }
            byte[] value =
                    client.read("kv", KvQuery.newBuilder().setKey("k").build().toByteArray());
            assertThat(parse(ByteString.copyFrom(value)).getValue().toStringUtf8())
                    .isEqualTo("v19");
        }
        assertThat(methods).containsOnly("Multiplex").hasSize(1);
    }

    private static StreamObserver<MultiplexedResponse> collect(Queue<MultiplexedResponse> answers) {
        return new StreamObserver<>() {
            @Override
            public void onNext(MultiplexedResponse value) {
                answers.add(value);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        };
    }

    private static KvResult parse(ByteString bytes) {
        try {
            return KvResult.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static CommandRequest put(String client, long sequence, String key, String value) {
        return CommandRequest.newBuilder()
                .setClientId(client)
                .setSequence(sequence)
                .setStateMachine("kv")
                .setPayload(KvCommand.newBuilder()
                        .setPut(KvPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)))
                        .build()
                        .toByteString())
                .build();
    }

    private static ReadRequest get(String key) {
        return ReadRequest.newBuilder()
                .setStateMachine("kv")
                .setQuery(KvQuery.newBuilder().setKey(key).build().toByteString())
                .build();
    }
}
