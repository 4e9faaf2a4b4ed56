package io.sinkron.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Opens TCP channels through the transport found on the classpath (grpc-netty-shaded), plaintext or
 * TLS as configured.
 *
 * <p>Keepalive pings are sent every {@code keepAliveTime} while calls (such as an event stream) are
 * open, and a connection that does not answer one within {@value #KEEPALIVE_TIMEOUT_SECONDS} s is
 * dropped, so a silently dead node is detected rather than waited on.
 */
final class NettyChannelFactory implements ChannelFactory {

    private static final long KEEPALIVE_TIMEOUT_SECONDS = 10;

    private final ConsensusClientConfig config;
    private final ChannelCredentials credentials;

    NettyChannelFactory(ConsensusClientConfig config) {
        this.config = config;
        this.credentials = credentials(config);
    }

    @Override
    public ManagedChannel open(NodeAddress address) {
        return Grpc.newChannelBuilderForAddress(address.host(), address.port(), credentials)
                .keepAliveTime(config.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(false)
                .build();
    }

    private static ChannelCredentials credentials(ConsensusClientConfig config) {
        if (!config.useTls()) {
            return InsecureChannelCredentials.create();
        }
        if (config.trustCertificates() == null) {
            return TlsChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder()
                    .trustManager(config.trustCertificates().toFile())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trust certificates " + config.trustCertificates(), e);
        }
    }
}
