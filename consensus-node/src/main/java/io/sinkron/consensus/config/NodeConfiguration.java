package io.sinkron.consensus.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.sinkron.consensus.metrics.RaftMetrics;
import io.sinkron.consensus.node.ConsensusNode;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Builds and starts the node from the settings resolved before Spring started. */
@Configuration(proxyBeanMethods = false)
public class NodeConfiguration {

    @Bean
    RaftMetrics raftMetrics(MeterRegistry registry) {
        return new RaftMetrics(registry);
    }

    @Bean(destroyMethod = "close")
    ConsensusNode consensusNode(NodeSettings settings, RaftMetrics metrics) throws IOException {
        var node = new ConsensusNode(settings, metrics, metrics, metrics::refreshPeers);
        metrics.bind(node);
        node.start();
        return node;
    }
}
