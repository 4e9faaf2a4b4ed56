package io.sinkron.cache;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.sinkron.cache.home.CacheHome;
import io.sinkron.cache.near.NearCache;
import io.sinkron.client.ChannelFactory;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the near cache to the consensus cluster. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CacheProperties.class)
public class CacheConfiguration {

    @Bean
    ConsensusClientConfig consensusClientConfig(CacheProperties properties) {
        return ConsensusClientConfig.parse(properties.consensusNodes())
                .withDefaultDeadline(properties.requestTimeout());
    }

    @Bean
    ChannelFactory consensusChannels(ConsensusClientConfig config) {
        return ChannelFactory.netty(config);
    }

    @Bean(destroyMethod = "close")
    ConsensusClient consensusClient(ConsensusClientConfig config, ChannelFactory consensusChannels) {
        return new ConsensusClient(config, consensusChannels);
    }

    @Bean
    CacheHome cacheHome(ConsensusClient client, CacheProperties properties) {
        return new CacheHome(client, properties.requestTimeout(), properties.writeCommandsInFlight());
    }

    @Bean
    NearCache nearCache(CacheProperties properties) {
        return new NearCache(properties.maxEntries(), properties.maxBytes());
    }

    @Bean
    MonotonicClock monotonicClock() {
        return MonotonicClock.system();
    }

    @Bean
    CacheMetrics cacheMetrics(MeterRegistry registry, NearCache nearCache) {
        return new CacheMetrics(registry, nearCache);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    CoherentCache coherentCache(
            CacheHome home, NearCache near, CacheProperties properties, MonotonicClock clock, CacheMetrics metrics) {
        return new CoherentCache(home, near, properties, clock, metrics);
    }

    @Bean
    MeterBinder leaseGauge(CoherentCache cache) {
        return registry -> Gauge.builder("sinkron.cache.lease.valid", cache, c -> c.leaseValid() ? 1 : 0)
                .description("1 while this instance holds a valid lease and serves from its near cache")
                .register(registry);
    }
}
