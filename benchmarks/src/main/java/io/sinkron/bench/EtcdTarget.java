package io.sinkron.bench;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.sinkron.bench.etcd.KVGrpc;
import io.sinkron.bench.etcd.PutRequest;
import io.sinkron.bench.etcd.PutResponse;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Puts through a plain grpc-java stub of etcd's {@code etcdserverpb.KV} service
 * ({@code src/main/proto/etcd_kv.proto}): one unary {@code KV.Put} per put on one HTTP/2 channel,
 * nothing between the caller and the stub, on a Netty channel built as {@code ConsensusClient}'s
 * are ({@code Grpc.newChannelBuilderForAddress}, plaintext, default event loop and executor). It
 * is the etcd counterpart of {@link SinkronTarget}: each store driven by a client of the same
 * weight, so the comparison is of the stores, not of their Java clients. etcd's jetcd adds retry
 * and auth layers on every call ({@link JetcdTarget}).
 */
final class EtcdTarget implements KvTarget {

    private final ManagedChannel channel;
    private final KVGrpc.KVStub kv;

    /**
     * @param endpoints comma-separated client URLs; the first is used (the harness is given the
     *     leader's), e.g. {@code http://127.0.0.1:2379}
     */
    EtcdTarget(String endpoints) {
        URI uri = URI.create(endpoints.split(",")[0].trim());
        this.channel = Grpc.newChannelBuilderForAddress(
                        uri.getHost(), uri.getPort(), InsecureChannelCredentials.create())
                .build();
        this.kv = KVGrpc.newStub(channel);
    }

    @Override
    public CompletableFuture<?> put(byte[] key, byte[] value) {
        var reply = new CompletableFuture<PutResponse>();
        kv.put(
                PutRequest.newBuilder()
                        .setKey(ByteString.copyFrom(key))
                        .setValue(ByteString.copyFrom(value))
                        .build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(PutResponse response) {
                        reply.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        reply.completeExceptionally(error);
                    }

                    @Override
                    public void onCompleted() {
                        // The unary reply arrived in onNext.
                    }
                });
        return reply;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
