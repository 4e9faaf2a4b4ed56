package io.sinkron.consensus.transport;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.sinkron.consensus.raft.Message;
import io.sinkron.proto.RaftPeerGrpc;
import io.sinkron.proto.SnapshotAck;
import io.sinkron.proto.SnapshotChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a snapshot file to a peer in chunks with gRPC flow control. Before each attempt it asks
 * the receiver how much of this snapshot it already holds and resumes from there, so a transfer
 * cut by a lost connection does not start over.
 */
final class SnapshotSender {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSender.class);
    static final int CHUNK_BYTES = 1 << 20;
    private static final int ATTEMPTS = 3;
    private static final long TRANSFER_TIMEOUT_MINUTES = 10;

    private final LongAdder bytesSent;

    SnapshotSender(LongAdder bytesSent) {
        this.bytesSent = bytesSent;
    }

    /** Sends {@code file}; returns whether the receiver confirmed it whole. */
    boolean send(ManagedChannel channel, String groupId, Message.SnapshotRequest request, Path file) {
        try {
            long total = Files.size(file);
            int crc = SnapshotReceiver.crc(file);
            var header = SnapshotChunk.newBuilder()
                    .setGroupId(groupId)
                    .setFrom(request.from())
                    .setTo(request.to())
                    .setTerm(request.term())
                    .setIndex(request.snapshot().index())
                    .setSnapshotTerm(request.snapshot().term())
                    .setConfiguration(request.snapshot().membership().toProto())
                    .setTotalBytes(total)
                    .setCrc32C(crc)
                    .build();
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                long offset = RaftPeerGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .snapshotOffset(header)
                        .getReceivedBytes();
                if (offset > total) {
                    offset = 0;
                }
                SnapshotAck ack = stream(channel, header, file, offset, total);
                if (ack.getComplete()) {
                    return true;
                }
                log.info(
                        "snapshot {} to {} interrupted at {} of {} bytes; resuming",
                        request.snapshot().index(),
                        request.to(),
                        ack.getReceivedBytes(),
                        total);
            }
            return false;
        } catch (IOException | RuntimeException e) {
            log.warn("sending snapshot {} to {} failed: {}", request.snapshot().index(), request.to(), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private SnapshotAck stream(ManagedChannel channel, SnapshotChunk header, Path file, long offset, long total)
            throws IOException, InterruptedException {
        var result = new CompletableFuture<SnapshotAck>();
        var ready = new Object();
        ClientCallStreamObserver<SnapshotChunk>[] out = new ClientCallStreamObserver[1];
        RaftPeerGrpc.newStub(channel)
                .withDeadlineAfter(TRANSFER_TIMEOUT_MINUTES, TimeUnit.MINUTES)
                .installSnapshot(new ClientResponseObserver<SnapshotChunk, SnapshotAck>() {
                    private SnapshotAck last = SnapshotAck.getDefaultInstance();

                    @Override
                    public void beforeStart(ClientCallStreamObserver<SnapshotChunk> requestStream) {
                        out[0] = requestStream;
                        requestStream.setOnReadyHandler(() -> {
                            synchronized (ready) {
                                ready.notifyAll();
                            }
                        });
                    }

                    @Override
                    public void onNext(SnapshotAck value) {
                        last = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.complete(last);
                        synchronized (ready) {
                            ready.notifyAll();
                        }
                    }

                    @Override
                    public void onCompleted() {
                        result.complete(last);
                        synchronized (ready) {
                            ready.notifyAll();
                        }
                    }
                });
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long position = offset;
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES);
            do {
                synchronized (ready) {
                    while (!out[0].isReady() && !result.isDone()) {
                        ready.wait(100);
                    }
                }
                if (result.isDone()) {
                    break;
                }
                buf.clear();
                int n = Math.max(0, ch.read(buf, position));
                buf.flip();
                boolean last = position + n >= total;
                out[0].onNext(header.toBuilder()
                        .setOffset(position)
                        .setData(ByteString.copyFrom(buf))
                        .setLast(last)
                        .build());
                bytesSent.add(n);
                position += n;
                if (last) {
                    out[0].onCompleted();
                    break;
                }
            } while (true);
        }
        try {
            return result.get(TRANSFER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            out[0].cancel("snapshot transfer timed out", e);
            return SnapshotAck.getDefaultInstance();
        }
    }
}
