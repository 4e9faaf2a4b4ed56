package io.sinkron.client;

import io.grpc.ManagedChannel;
import io.sinkron.proto.ConsensusGrpc;

/** One consensus node as the client reaches it: its address, channel, stub and health. */
record Node(NodeAddress address, ManagedChannel channel, ConsensusGrpc.ConsensusFutureStub stub, NodeHealth health) {

    Node(NodeAddress address, ManagedChannel channel, NodeHealth health) {
        this(address, channel, ConsensusGrpc.newFutureStub(channel), health);
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
