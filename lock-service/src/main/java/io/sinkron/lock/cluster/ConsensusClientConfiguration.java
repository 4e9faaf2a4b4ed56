package io.sinkron.lock.cluster;

import io.sinkron.client.ChannelFactory;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.lock.config.ConsensusProperties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one {@link ConsensusClient} of this service instance, shared by every request. */
@Configuration(proxyBeanMethods = false)
class ConsensusClientConfiguration {

    /**
     * Dials the configured nodes over TCP, unless the context supplies a {@link ChannelFactory}
     * (tests put an in-process consensus node there).
     */
    @Bean(destroyMethod = "close")
    ConsensusClient consensusClient(ConsensusProperties properties, ObjectProvider<ChannelFactory> channels) {
        ConsensusClientConfig config = ConsensusClientConfig.parse(properties.nodes())
                .withGroupId(properties.groupId())
                .withDefaultDeadline(properties.deadline());
        return new ConsensusClient(config, channels.getIfAvailable(() -> ChannelFactory.netty(config)));
    }

    /** Times the service's own give-up point of waiting acquisitions. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService waitTimers() {
        return Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("lock-wait-timer").daemon().factory());
    }
}
