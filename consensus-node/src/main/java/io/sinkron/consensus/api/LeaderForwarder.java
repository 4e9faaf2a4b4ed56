package io.sinkron.consensus.api;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sinkron.proto.AdminResponse;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.LeaderTransferRequest;
import io.sinkron.proto.MembershipChangeRequest;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ReadResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Forwards client requests that reached a follower to the leader, so clients never have to find
 * the leader themselves. A forwarded request is marked so that it is never forwarded twice.
 */
public final class LeaderForwarder implements AutoCloseable {

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public CompletableFuture<CommandResponse> submit(String leaderAddress, CommandRequest request, long timeoutMs) {
        return toCompletable(stub(leaderAddress, timeoutMs)
                .submit(request.toBuilder().setForwarded(true).build()));
    }

    public CompletableFuture<ReadResponse> read(String leaderAddress, ReadRequest request, long timeoutMs) {
        return toCompletable(stub(leaderAddress, timeoutMs)
                .read(request.toBuilder().setForwarded(true).build()));
    }

    public CompletableFuture<AdminResponse> changeMembership(
            String leaderAddress, MembershipChangeRequest request, long timeoutMs) {
        return toCompletable(stub(leaderAddress, timeoutMs + 2_000)
                .changeMembership(request.toBuilder().setForwarded(true).build()));
    }

    public CompletableFuture<AdminResponse> transferLeadership(
            String leaderAddress, LeaderTransferRequest request, long timeoutMs) {
        return toCompletable(stub(leaderAddress, timeoutMs + 2_000)
                .transferLeadership(request.toBuilder().setForwarded(true).build()));
    }

    private ConsensusGrpc.ConsensusFutureStub stub(String address, long timeoutMs) {
        ManagedChannel channel = channels.computeIfAbsent(
                address, a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
        return ConsensusGrpc.newFutureStub(channel).withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> future) {
        var result = new CompletableFuture<T>();
        Futures.addCallback(
                future,
                new FutureCallback<>() {
                    @Override
                    public void onSuccess(T value) {
                        result.complete(value);
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        result.completeExceptionally(t);
                    }
                },
                MoreExecutors.directExecutor());
        return result;
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
