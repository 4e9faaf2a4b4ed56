package io.sinkron.client;

import io.grpc.ManagedChannel;
import io.sinkron.proto.ConsensusGrpc;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One consensus node as the client reaches it: its address, channel, stub, health, and the stream
 * its Submits and Reads are multiplexed over.
 */
record Node(
        NodeAddress address,
        ManagedChannel channel,
        ConsensusGrpc.ConsensusFutureStub stub,
        NodeHealth health,
        MultiplexedStream calls) {

    Node(NodeAddress address, ManagedChannel channel, NodeHealth health, ScheduledExecutorService scheduler) {
        this(address, channel, ConsensusGrpc.newFutureStub(channel), health, new MultiplexedStream(channel, scheduler));
        calls.bind(this);
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
