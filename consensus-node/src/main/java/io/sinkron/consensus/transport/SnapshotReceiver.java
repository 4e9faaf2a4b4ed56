package io.sinkron.consensus.transport;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.Message;
import io.sinkron.consensus.raft.SnapshotMeta;
import io.sinkron.proto.SnapshotAck;
import io.sinkron.proto.SnapshotChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * The receiving end of InstallSnapshot: appends chunks to a staging file named after the sender
 * and the snapshot, so an interrupted transfer resumes where it stopped; when the last chunk
 * arrives, the whole file is checksummed and handed to the driver.
 */
final class SnapshotReceiver {

    private final InboundMessages inbound;
    private final LongAdder bytesReceived;

    SnapshotReceiver(InboundMessages inbound, LongAdder bytesReceived) {
        this.inbound = inbound;
        this.bytesReceived = bytesReceived;
    }

    static String partName(SnapshotChunk c) {
        return c.getFrom() + "-" + c.getIndex() + "-" + c.getSnapshotTerm() + ".part";
    }

    SnapshotAck offset(SnapshotChunk probe) throws IOException {
        Path staging = inbound.snapshotStaging(probe.getGroupId());
        if (staging == null) {
            return SnapshotAck.getDefaultInstance();
        }
        Path part = staging.resolve(partName(probe));
        return SnapshotAck.newBuilder()
                .setReceivedBytes(Files.exists(part) ? Files.size(part) : 0)
                .build();
    }

    StreamObserver<SnapshotChunk> receive(StreamObserver<SnapshotAck> ack) {
        return new StreamObserver<>() {
            private FileChannel channel;
            private Path part;
            private long position;
            private boolean done;

            @Override
            public void onNext(SnapshotChunk c) {
                if (done) {
                    return;
                }
                try {
                    if (channel == null) {
                        Path staging = inbound.snapshotStaging(c.getGroupId());
                        if (staging == null) {
                            fail(Status.NOT_FOUND.withDescription("unknown group " + c.getGroupId()));
                            return;
                        }
                        part = staging.resolve(partName(c));
                        channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        position = channel.size();
                        if (c.getOffset() == 0 && position > 0) {
                            // The sender starts over: whatever we held is discarded.
                            channel.truncate(0);
                            position = 0;
                        }
                        if (c.getOffset() != position) {
                            // The sender resumes from what we hold; it asks and starts over.
                            ack.onNext(SnapshotAck.newBuilder()
                                    .setReceivedBytes(position)
                                    .build());
                            finish();
                            ack.onCompleted();
                            return;
                        }
                    }
                    if (c.getOffset() != position) {
                        fail(Status.FAILED_PRECONDITION.withDescription(
                                "chunk at " + c.getOffset() + ", expected " + position));
                        return;
                    }
                    ByteBuffer data = c.getData().asReadOnlyByteBuffer();
                    while (data.hasRemaining()) {
                        position += channel.write(data, position);
                    }
                    bytesReceived.add(c.getData().size());
                    if (c.getLast()) {
                        complete(c);
                    }
                } catch (IOException e) {
                    fail(Status.INTERNAL.withDescription("cannot stage snapshot: " + e.getMessage()));
                }
            }

            private void complete(SnapshotChunk last) throws IOException {
                channel.force(true);
                finish();
                if (position != last.getTotalBytes() || crc(part) != last.getCrc32C()) {
                    Files.deleteIfExists(part);
                    fail(Status.DATA_LOSS.withDescription("snapshot failed its size or checksum check; resend"));
                    return;
                }
                Path whole = part.resolveSibling(part.getFileName().toString().replace(".part", ".snap"));
                Files.move(part, whole, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                var meta = new SnapshotMeta(
                        last.getIndex(), last.getSnapshotTerm(), Membership.fromProto(last.getConfiguration()));
                inbound.deliverSnapshot(
                        last.getGroupId(),
                        new Message.SnapshotRequest(last.getFrom(), last.getTo(), last.getTerm(), meta),
                        whole);
                ack.onNext(SnapshotAck.newBuilder()
                        .setReceivedBytes(position)
                        .setComplete(true)
                        .build());
                ack.onCompleted();
            }

            private void fail(Status status) {
                finish();
                ack.onError(status.asRuntimeException());
            }

            private void finish() {
                done = true;
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // Closing a staging file we are done with; nothing to recover.
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                // The partial file stays for the sender to resume.
                finish();
            }

            @Override
            public void onCompleted() {
                if (!done) {
                    finish();
                    ack.onNext(
                            SnapshotAck.newBuilder().setReceivedBytes(position).build());
                    ack.onCompleted();
                }
            }
        };
    }

    static int crc(Path file) throws IOException {
        var crc = new CRC32C();
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) > 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return (int) crc.getValue();
    }
}
