package io.sinkron.consensus.transport;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.stub.StreamObserver;
import io.sinkron.proto.DeliverAck;
import io.sinkron.proto.PeerEnvelope;
import io.sinkron.proto.RaftPeerGrpc;
import io.sinkron.proto.SnapshotAck;
import io.sinkron.proto.SnapshotChunk;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * The receiving end of {@link GrpcPeerTransport}'s streams. The server runs it on the transport's
 * event loop (direct executor): peer messages only go into the driver's inbox. Incoming snapshot
 * chunks are written, fsynced and checksummed on a thread of their own, one stream at a time in
 * order, so the disk never stalls the event loop.
 */
public final class RaftPeerService extends RaftPeerGrpc.RaftPeerImplBase {

    private final InboundMessages inbound;
    private final LongAdder bytesReceived = new LongAdder();
    private final SnapshotReceiver snapshots;
    private final Executor snapshotIo = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("snapshot-receive-", 0).factory());

    public RaftPeerService(InboundMessages inbound) {
        this.inbound = inbound;
        this.snapshots = new SnapshotReceiver(inbound, bytesReceived);
    }

    @Override
    public StreamObserver<SnapshotChunk> installSnapshot(StreamObserver<SnapshotAck> responseObserver) {
        StreamObserver<SnapshotChunk> receiver = snapshots.receive(responseObserver);
        Executor inOrder = MoreExecutors.newSequentialExecutor(snapshotIo);
        return new StreamObserver<>() {
            @Override
            public void onNext(SnapshotChunk chunk) {
                inOrder.execute(() -> receiver.onNext(chunk));
            }

            @Override
            public void onError(Throwable t) {
                inOrder.execute(() -> receiver.onError(t));
            }

            @Override
            public void onCompleted() {
                inOrder.execute(receiver::onCompleted);
            }
        };
    }

    @Override
    public void snapshotOffset(SnapshotChunk request, StreamObserver<SnapshotAck> responseObserver) {
        snapshotIo.execute(() -> {
            try {
                responseObserver.onNext(snapshots.offset(request));
                responseObserver.onCompleted();
            } catch (java.io.IOException e) {
                responseObserver.onError(
                        io.grpc.Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
            }
        });
    }

    @Override
    public StreamObserver<PeerEnvelope> deliver(StreamObserver<DeliverAck> responseObserver) {
        return new StreamObserver<>() {
            @Override
            public void onNext(PeerEnvelope envelope) {
                bytesReceived.add(envelope.getSerializedSize());
                if (envelope.hasPing()) {
                    inbound.heard(envelope.getFrom());
                    return;
                }
                var message = MessageCodec.decode(envelope);
                if (message != null) {
                    inbound.deliver(envelope.getGroupId(), message);
                }
            }

            @Override
            public void onError(Throwable t) {
                // The sender reopens its stream; nothing here to clean up.
            }

            @Override
            public void onCompleted() {
                responseObserver.onNext(DeliverAck.getDefaultInstance());
                responseObserver.onCompleted();
            }
        };
    }

    public long bytesReceived() {
        return bytesReceived.sum();
    }
}
