package io.sinkron.consensus.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.sinkron.consensus.raft.Message;
import io.sinkron.proto.DeliverAck;
import io.sinkron.proto.PeerEnvelope;
import io.sinkron.proto.RaftPeerGrpc;
import io.sinkron.testkit.ReservedPorts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer that comes back after being down for seconds is reached again within about a heartbeat,
 * not after gRPC's growing reconnect backoff: a survivor must be able to send a restarted peer its
 * vote requests at once. And what is written while a stream starts is delivered, not dropped.
 */
class GrpcPeerTransportReconnectTest {

    private final ConcurrentLinkedQueue<PeerEnvelope> received = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
    private GrpcPeerTransport transport;
    private Server peer;

    @AfterEach
    void stop() throws InterruptedException {
        pinger.shutdownNow();
        pinger.awaitTermination(5, TimeUnit.SECONDS);
        if (transport != null) {
            transport.close();
        }
        if (peer != null) {
            peer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPeerThatWasDownForSecondsIsReachedAgainWithinHalfASecondOfComingBack() throws Exception {
        int port = freePort();
        transport = new GrpcPeerTransport("node-1", Map.of("node-2", "127.0.0.1:" + port));
        // Pings every 50 ms, as the failure detector and heartbeats do, while node-2 is down.
        pinger.scheduleWithFixedDelay(() -> transport.pingAll("default"), 0, 50, TimeUnit.MILLISECONDS);

        // gRPC's backoff after failures starting at t=0: retries near 1 s and 2.6 s, the next no
        // earlier than 4.1 s (1 s x 1.6^n, jitter 20%). Coming back at 3.3 s, a transport that
        // waited out the backoff would reach node-2 no sooner than 0.8 s later.
        await().during(Duration.ofMillis(3_300)).atMost(Duration.ofSeconds(4)).until(received::isEmpty);
        long cameBack = System.nanoTime();
        peer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new Recorder())
                .build()
                .start();

        await().atMost(Duration.ofSeconds(5)).until(() -> !received.isEmpty());
        long reachedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cameBack);
        assertThat(reachedMillis)
                .as("time from node-2 listening again to its first message")
                .isLessThan(600);
        assertThat(received.peek().getFrom()).isEqualTo("node-1");
    }

    @Test
    void messagesWrittenWhileTheStreamIsStillStartingArriveInsteadOfBeingDropped() throws Exception {
        // Regression: the stream is not ready until gRPC has set it up, and every message written
        // before that (a TimeoutNow, the vote requests of the election it starts) was dropped.
        peer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new Recorder())
                .build()
                .start();
        transport = new GrpcPeerTransport("node-1", Map.of("node-2", "127.0.0.1:" + peer.getPort()));
        for (int term = 1; term <= 5; term++) {
            transport.send("default", new Message.TimeoutNow("node-1", "node-2", term));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 5);
        assertThat(received).extracting(PeerEnvelope::getTerm).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(transport.messagesDropped()).isZero();
    }

    private static int freePort() {
        // node-2 binds it seconds later: outside the ephemeral range, no client connection takes it.
        return ReservedPorts.take(1)[0];
    }

    private final class Recorder extends RaftPeerGrpc.RaftPeerImplBase {
        @Override
        public StreamObserver<PeerEnvelope> deliver(StreamObserver<DeliverAck> responseObserver) {
            return new StreamObserver<>() {
                @Override
                public void onNext(PeerEnvelope envelope) {
                    received.add(envelope);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    responseObserver.onNext(DeliverAck.getDefaultInstance());
                    responseObserver.onCompleted();
                }
            };
        }
    }
}
