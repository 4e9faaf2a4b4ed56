package io.sinkron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.sinkron.bench.etcd.KVGrpc;
import io.sinkron.bench.etcd.PutRequest;
import io.sinkron.bench.etcd.PutResponse;
import io.sinkron.bench.etcd.ResponseHeader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The etcd driver's stub: its messages are etcd's on the wire (checked against jetcd's classes,
 * generated from etcd's own rpc.proto), and a put goes to {@code etcdserverpb.KV/Put} of a gRPC
 * server on 127.0.0.1 and completes with its answer.
 */
class EtcdTargetTest {

    private Server server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void when_messages_are_encoded_then_etcds_own_generated_classes_read_the_same_fields() throws Exception {
        byte[] put = PutRequest.newBuilder()
                .setKey(com.google.protobuf.ByteString.copyFromUtf8("k0000001"))
                .setValue(com.google.protobuf.ByteString.copyFromUtf8("v".repeat(100)))
                .setLease(7)
                .setPrevKv(true)
                .build()
                .toByteArray();
        var theirs = io.etcd.jetcd.api.PutRequest.parseFrom(put);
        assertThat(theirs.getKey().toStringUtf8()).isEqualTo("k0000001");
        assertThat(theirs.getValue().toStringUtf8()).isEqualTo("v".repeat(100));
        assertThat(theirs.getLease()).isEqualTo(7);
        assertThat(theirs.getPrevKv()).isTrue();

        byte[] answer = io.etcd.jetcd.api.PutResponse.newBuilder()
                .setHeader(io.etcd.jetcd.api.ResponseHeader.newBuilder()
                        .setClusterId(1)
                        .setMemberId(2)
                        .setRevision(3)
                        .setRaftTerm(4))
                .build()
                .toByteArray();
        ResponseHeader header = PutResponse.parseFrom(answer).getHeader();
        assertThat(List.of(header.getClusterId(), header.getMemberId(), header.getRevision(), header.getRaftTerm()))
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(KVGrpc.getPutMethod().getFullMethodName())
                .isEqualTo(io.etcd.jetcd.api.KVGrpc.getPutMethod().getFullMethodName())
                .isEqualTo("etcdserverpb.KV/Put");
        assertThat(KVGrpc.getRangeMethod().getFullMethodName()).isEqualTo("etcdserverpb.KV/Range");
    }

    @Test
    void when_a_put_is_answered_then_its_future_completes_with_the_servers_answer() throws Exception {
        List<PutRequest> received = new CopyOnWriteArrayList<>();
        start(new KVGrpc.KVImplBase() {
            @Override
            public void put(PutRequest request, StreamObserver<PutResponse> reply) {
                received.add(request);
                reply.onNext(PutResponse.newBuilder()
                        .setHeader(ResponseHeader.newBuilder().setRevision(received.size()))
                        .build());
                reply.onCompleted();
            }
        });

        try (var target = new EtcdTarget("http://127.0.0.1:" + server.getPort())) {
            Object first = target.put(bytes("k1"), bytes("one")).get(5, TimeUnit.SECONDS);
            Object second = target.put(bytes("k2"), bytes("two")).get(5, TimeUnit.SECONDS);

            assertThat(((PutResponse) first).getHeader().getRevision()).isEqualTo(1);
            assertThat(((PutResponse) second).getHeader().getRevision()).isEqualTo(2);
        }
        assertThat(received)
                .extracting(r -> r.getKey().toStringUtf8() + "=" + r.getValue().toStringUtf8())
                .containsExactly("k1=one", "k2=two");
    }

    @Test
    void when_the_server_refuses_a_put_then_its_future_fails_with_the_status() throws Exception {
        start(new KVGrpc.KVImplBase() {
            @Override
            public void put(PutRequest request, StreamObserver<PutResponse> reply) {
                reply.onError(Status.RESOURCE_EXHAUSTED
                        .withDescription("etcdserver: too many requests")
                        .asRuntimeException());
            }
        });

        try (var target = new EtcdTarget("http://127.0.0.1:" + server.getPort())) {
            assertThatThrownBy(() -> target.put(bytes("k1"), bytes("one")).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("too many requests");
        }
    }

    private void start(KVGrpc.KVImplBase service) throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service)
                .build()
                .start();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
