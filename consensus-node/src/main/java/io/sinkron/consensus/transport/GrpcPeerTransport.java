package io.sinkron.consensus.transport;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.sinkron.consensus.node.PeerTransport;
import io.sinkron.consensus.raft.Message;
import io.sinkron.proto.DeliverAck;
import io.sinkron.proto.PeerEnvelope;
import io.sinkron.proto.Ping;
import io.sinkron.proto.RaftPeerGrpc;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends peer messages over one long-lived client stream per peer ({@code RaftPeer.Deliver}).
 * Messages are written in order without waiting for replies, which is what lets the leader
 * pipeline AppendEntries. A broken stream is reopened on the next send; what was lost on it is
 * recovered by Raft itself (retransmission on heartbeat, probing).
 */
public final class GrpcPeerTransport implements PeerTransport {

    private static final Logger log = LoggerFactory.getLogger(GrpcPeerTransport.class);
    /**
     * Bytes a stream may take while it is starting (not yet ready); beyond them, messages are
     * dropped and Raft's retransmission recovers them. Enough for every vote, heartbeat and
     * TimeoutNow of a stream that is starting, small enough that a peer that never answers costs
     * little heap.
     */
    static final long MAX_BUFFERED_BYTES = 4L << 20;
    /**
     * How often a send to a peer whose connection failed may ask for a new connection at once,
     * instead of waiting out gRPC's exponential reconnect backoff (1 s growing to 2 min). A
     * restarted peer is thus reached within about a heartbeat: with the backoff alone, a survivor
     * that had watched a peer die for a few seconds could not send it a vote for seconds more.
     */
    private static final long RECONNECT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String selfId;
    private final Map<String, String> seeds;
    private final Map<String, String> addresses = new ConcurrentHashMap<>();
    private final Map<String, PeerStream> streams = new ConcurrentHashMap<>();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder messagesDropped = new LongAdder();
    private final SnapshotSender snapshots = new SnapshotSender(bytesSent);

    /**
     * @param seeds addresses known from configuration (CLUSTER_NODES); they stay reachable even
     *     while the configuration in the log does not list them, so a joining node can answer the
     *     leader before it learns the configuration that contains it
     */
    public GrpcPeerTransport(String selfId, Map<String, String> seeds) {
        this.selfId = selfId;
        this.seeds = Map.copyOf(seeds);
        updateAddresses(Map.of());
    }

    @Override
    public void updateAddresses(Map<String, String> membershipAddresses) {
        var addressesById = new java.util.HashMap<>(seeds);
        addressesById.putAll(membershipAddresses);
        addressesById.forEach((id, address) -> {
            if (id.equals(selfId)) {
                return;
            }
            String previous = addresses.put(id, address);
            if (previous != null && !previous.equals(address)) {
                PeerStream old = streams.remove(id);
                if (old != null) {
                    old.close();
                }
            }
        });
        addresses.keySet().removeIf(id -> !addressesById.containsKey(id));
        streams.keySet().removeIf(id -> {
            if (!addresses.containsKey(id)) {
                streams.get(id).close();
                return true;
            }
            return false;
        });
    }

    @Override
    public void send(String groupId, Message message) {
        send(message.to(), MessageCodec.encode(groupId, message));
    }

    @Override
    public void sendSnapshot(
            String groupId,
            Message.SnapshotRequest request,
            java.nio.file.Path file,
            java.util.function.Consumer<Boolean> done) {
        String address = addresses.get(request.to());
        if (address == null) {
            done.accept(false);
            return;
        }
        PeerStream stream = streams.computeIfAbsent(request.to(), p -> new PeerStream(p, address));
        // A transfer can take a while; it runs on its own virtual thread and always reports.
        Thread.ofVirtual()
                .name("snapshot-to-" + request.to())
                .start(() -> done.accept(snapshots.send(stream.channel, groupId, request, file)));
    }

    /** Sends a failure-detector ping to every known peer. */
    public void pingAll(String groupId) {
        for (String peer : addresses.keySet()) {
            send(
                    peer,
                    PeerEnvelope.newBuilder()
                            .setGroupId(groupId)
                            .setFrom(selfId)
                            .setTo(peer)
                            .setPing(Ping.getDefaultInstance())
                            .build());
        }
    }

    private void send(String peer, PeerEnvelope envelope) {
        String address = addresses.get(peer);
        if (address == null) {
            messagesDropped.increment();
            return;
        }
        PeerStream stream = streams.computeIfAbsent(peer, p -> new PeerStream(p, address));
        if (stream.write(envelope)) {
            bytesSent.add(envelope.getSerializedSize());
        } else {
            messagesDropped.increment();
        }
    }

    public long bytesSent() {
        return bytesSent.sum();
    }

    public long messagesDropped() {
        return messagesDropped.sum();
    }

    @Override
    public void close() {
        streams.values().forEach(PeerStream::close);
        streams.clear();
    }

    /** One peer's channel and its current outbound stream. */
    private static final class PeerStream {

        private final String peer;
        final ManagedChannel channel;
        private ClientCallStreamObserver<PeerEnvelope> out;
        /** Whether the current stream has been ready since it was opened. */
        private boolean started;
        /** Bytes written before the current stream was first ready; gRPC holds them meanwhile. */
        private long bufferedWhileStarting;

        private long lastReconnect = System.nanoTime() - RECONNECT_INTERVAL_NANOS;

        PeerStream(String peer, String address) {
            this.peer = peer;
            this.channel = NettyChannelBuilder.forTarget(address)
                    .usePlaintext()
                    .keepAliveTime(30, TimeUnit.SECONDS)
                    .build();
        }

        synchronized boolean write(PeerEnvelope envelope) {
            reconnectIfFailed();
            if (out == null) {
                open();
            }
            // A stream is not ready until gRPC has set it up on a connection, which takes a round
            // trip or more: the messages written meanwhile (the first vote request after a peer
            // restarted, a TimeoutNow) are held by gRPC and sent once it is, not dropped. Once the
            // stream has been ready, "not ready" means the peer or the network is not keeping up:
            // the message is dropped and Raft sends what it missed again, in fewer, larger
            // messages, rather than queueing many small ones behind a slow peer (holding them
            // cost the nodes more CPU per replicated command under load: docs/performance.md).
            if (out.isReady()) {
                started = true;
            } else if (started) {
                return false;
            } else {
                int size = envelope.getSerializedSize();
                if (bufferedWhileStarting + size > MAX_BUFFERED_BYTES) {
                    return false;
                }
                bufferedWhileStarting += size;
            }
            try {
                out.onNext(envelope);
                return true;
            } catch (RuntimeException e) {
                log.debug("stream to {} failed: {}", peer, e.toString());
                out = null;
                return false;
            }
        }

        private void reconnectIfFailed() {
            long now = System.nanoTime();
            if (now - lastReconnect >= RECONNECT_INTERVAL_NANOS
                    && channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
                lastReconnect = now;
                channel.resetConnectBackoff();
            }
        }

        private void open() {
            started = false;
            bufferedWhileStarting = 0;
            out = (ClientCallStreamObserver<PeerEnvelope>)
                    RaftPeerGrpc.newStub(channel).deliver(new ClientResponseObserver<PeerEnvelope, DeliverAck>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<PeerEnvelope> requestStream) {}

                        @Override
                        public void onNext(DeliverAck value) {}

                        @Override
                        public void onError(Throwable t) {
                            reset();
                        }

                        @Override
                        public void onCompleted() {
                            reset();
                        }
                    });
        }

        private synchronized void reset() {
            out = null;
        }

        synchronized void close() {
            if (out != null) {
                try {
                    out.onCompleted();
                } catch (RuntimeException ignored) {
                    // The stream is already gone; nothing to flush.
                }
            }
            channel.shutdownNow();
        }
    }
}
