package io.sinkron.bench;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.LeaderHint;
import io.sinkron.proto.MultiplexedRequest;
import io.sinkron.proto.MultiplexedResponse;
import io.sinkron.proto.ResultCode;
import io.sinkron.proto.StatusRequest;
import io.sinkron.proto.StatusResponse;
import io.sinkron.testkit.ReservedPorts;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under a Sinkron put: one {@link ConsensusClient#submit} round trip over loopback gRPC
 * to a server that answers at once, with no Raft, no peers and no disk behind it. What a real put
 * costs beyond this is replication, fsync and the driver. Run with
 * {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main ClientRoundTrip}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ClientRoundTripBenchmark {

    private Server server;
    private ConsensusClient client;
    private byte[] command;

    /**
     * Answers every command OK at once, on the multiplexed stream the client uses and on the unary
     * call, and names itself leader, so the client sticks to it.
     */
    private static final class ImmediateConsensus extends ConsensusGrpc.ConsensusImplBase {

        private final String address;

        ImmediateConsensus(String address) {
            this.address = address;
        }

        @Override
        public void submit(CommandRequest request, StreamObserver<CommandResponse> out) {
            out.onNext(ok(request));
            out.onCompleted();
        }

        @Override
        public StreamObserver<MultiplexedRequest> multiplex(StreamObserver<MultiplexedResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(MultiplexedRequest request) {
                    out.onNext(MultiplexedResponse.newBuilder()
                            .setCallId(request.getCallId())
                            .setSubmit(ok(request.getSubmit()))
                            .build());
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }

        private static CommandResponse ok(CommandRequest request) {
            return CommandResponse.newBuilder()
                    .setCode(ResultCode.RESULT_CODE_OK)
                    .setIndex(request.getSequence())
                    .build();
        }

        @Override
        public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
            out.onNext(StatusResponse.newBuilder()
                    .setNodeId("stub")
                    .setRole("LEADER")
                    .setLeader(LeaderHint.newBuilder().setNodeId("stub").setAddress(address))
                    .build());
            out.onCompleted();
        }
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        int port = ReservedPorts.take(1)[0];
        String address = "127.0.0.1:" + port;
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new ImmediateConsensus(address))
                .build()
                .start();
        client = new ConsensusClient(ConsensusClientConfig.parse(address));
        client.status();
        command = KvCommand.newBuilder()
                .setPut(KvPut.newBuilder().setKey("k0000001").setValue(ByteString.copyFrom(new byte[100])))
                .build()
                .toByteArray();
    }

    @Benchmark
    public byte[] submit() {
        return client.submit("kv", command);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        client.close();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
