package io.sinkron.consensus.transport;

import io.grpc.stub.StreamObserver;
import io.sinkron.proto.DeliverAck;
import io.sinkron.proto.PeerEnvelope;
import io.sinkron.proto.RaftPeerGrpc;
import io.sinkron.proto.SnapshotAck;
import io.sinkron.proto.SnapshotChunk;
import java.util.concurrent.atomic.LongAdder;

/** The receiving end of {@link GrpcPeerTransport}'s streams. */
public final class RaftPeerService extends RaftPeerGrpc.RaftPeerImplBase {

    private final InboundMessages inbound;
    private final LongAdder bytesReceived = new LongAdder();
    private final SnapshotReceiver snapshots;

    public RaftPeerService(InboundMessages inbound) {
        this.inbound = inbound;
        this.snapshots = new SnapshotReceiver(inbound, bytesReceived);
    }

    @Override
    public StreamObserver<SnapshotChunk> installSnapshot(StreamObserver<SnapshotAck> responseObserver) {
        return snapshots.receive(responseObserver);
    }

    @Override
    public void snapshotOffset(SnapshotChunk request, StreamObserver<SnapshotAck> responseObserver) {
        try {
            responseObserver.onNext(snapshots.offset(request));
            responseObserver.onCompleted();
        } catch (java.io.IOException e) {
            responseObserver.onError(
                    io.grpc.Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
        }
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
