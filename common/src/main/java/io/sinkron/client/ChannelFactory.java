package io.sinkron.client;

import io.grpc.ManagedChannel;

/**
 * Opens the gRPC channel to one node. {@link ConsensusClient} calls it once per address, for the
 * configured nodes when it starts and for leader hints naming a node it has not seen before, and
 * shuts every channel down when it closes.
 *
 * <p>The default, {@link #netty(ConsensusClientConfig)}, dials the address over TCP; tests inject a
 * factory that maps addresses to in-process channels.
 */
@FunctionalInterface
public interface ChannelFactory {

    ManagedChannel open(NodeAddress address);

    /** Netty channels with the keepalive and transport security of {@code config}. */
    static ChannelFactory netty(ConsensusClientConfig config) {
        return new NettyChannelFactory(config);
    }
}
