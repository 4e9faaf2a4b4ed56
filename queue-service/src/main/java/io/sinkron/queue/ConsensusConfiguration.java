package io.sinkron.queue;

import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one client of the consensus cluster the whole service shares. */
@Configuration(proxyBeanMethods = false)
class ConsensusConfiguration {

    @Bean(destroyMethod = "close")
    ConsensusClient consensusClient(QueueServiceProperties properties) {
        return new ConsensusClient(ConsensusClientConfig.parse(properties.consensusNodes()));
    }
}
