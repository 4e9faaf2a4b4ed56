package io.sinkron.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.LeaderHint;
import io.sinkron.proto.ResultCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The default channel factory against real gRPC servers on loopback ports. */
class NettyTransportTest {

    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(Server::shutdownNow);
    }

    private Server serve(ConsensusGrpc.ConsensusImplBase service) throws IOException {
        Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(service)
                .build()
                .start();
        servers.add(server);
        return server;
    }

    @Test
    void followsAHintToAnUnconfiguredAddressOverTcp() throws IOException {
        Queue<CommandRequest> atLeader = new ConcurrentLinkedQueue<>();
        Server leader = serve(new ConsensusGrpc.ConsensusImplBase() {
            @Override
            public void submit(CommandRequest request, StreamObserver<CommandResponse> observer) {
                atLeader.add(request);
                FakeNode.reply(observer, FakeNode.ok(request.getPayload()));
            }
        });
        Server follower = serve(new ConsensusGrpc.ConsensusImplBase() {
            @Override
            public void submit(CommandRequest request, StreamObserver<CommandResponse> observer) {
                FakeNode.reply(
                        observer,
                        CommandResponse.newBuilder()
                                .setCode(ResultCode.RESULT_CODE_NOT_LEADER)
                                .setLeaderHint(LeaderHint.newBuilder().setAddress("127.0.0.1:" + leader.getPort()))
                                .build());
            }
        });

        try (ConsensusClient client = new ConsensusClient(ConsensusClientConfig.parse("127.0.0.1:" + follower.getPort())
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(20)))) {
            assertThat(client.submit("kv", "over tcp".getBytes(UTF_8)))
                    .asString(UTF_8)
                    .isEqualTo("over tcp");
        }
        assertThat(atLeader).extracting(CommandRequest::getSequence).containsExactly(1L);
    }

    @Test
    void tlsWithAMissingTrustFileFailsAtConstruction() {
        ConsensusClientConfig config =
                ConsensusClientConfig.parse("127.0.0.1:1").withTls(Path.of("does-not-exist.pem"));

        assertThatThrownBy(() -> new ConsensusClient(config))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("does-not-exist.pem");
    }
}
