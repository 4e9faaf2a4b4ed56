package io.sinkron.lock;

import io.grpc.inprocess.InProcessChannelBuilder;
import io.sinkron.client.ChannelFactory;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.DependsOn;

/** Points the service's real {@code ConsensusClient} at an {@link InProcessConsensusNode}. */
@TestConfiguration(proxyBeanMethods = false)
public class InProcessClusterConfiguration {

    @Bean(destroyMethod = "close")
    InProcessConsensusNode consensusNode() {
        return new InProcessConsensusNode().start();
    }

    @Bean
    @DependsOn("consensusNode")
    ChannelFactory inProcessChannels() {
        return address -> InProcessChannelBuilder.forName(address.toString())
                .directExecutor()
                .build();
    }
}
