package io.sinkron.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class CachePropertiesTest {

    @EnableConfigurationProperties(CacheProperties.class)
    static class PropertiesOnly {}

    private static ApplicationContextRunner withEnvironment(Map<String, Object> variables) {
        return new ApplicationContextRunner()
                .withInitializer(context -> context.getEnvironment()
                        .getPropertySources()
                        .replace(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                new SystemEnvironmentPropertySource(
                                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables)))
                .withInitializer(new ConfigDataApplicationContextInitializer())
                .withUserConfiguration(PropertiesOnly.class);
    }

    @Test
    void when_the_original_design_environment_variables_are_set_then_they_configure_the_service() {
        withEnvironment(Map.of(
                        "CONSENSUS_NODES", "n1:7001,n2:7001",
                        "SERVER_PORT", "9123",
                        "CACHE_INSTANCE_ID", "cache-7",
                        "CACHE_MAX_ENTRIES", "50",
                        "CACHE_MAX_BYTES", "4096",
                        "CACHE_LEASE", "20s",
                        "CACHE_WRITE_COMMANDS_IN_FLIGHT", "2"))
                .run(context -> {
                    CacheProperties properties = context.getBean(CacheProperties.class);
                    assertThat(properties.consensusNodes()).isEqualTo("n1:7001,n2:7001");
                    assertThat(properties.instanceId()).isEqualTo("cache-7");
                    assertThat(properties.maxEntries()).isEqualTo(50);
                    assertThat(properties.maxBytes()).isEqualTo(4096);
                    assertThat(properties.lease()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(properties.writeCommandsInFlight()).isEqualTo(2);
                    assertThat(context.getEnvironment().getProperty("server.port"))
                            .isEqualTo("9123");
                });
    }

    @Test
    void when_nothing_is_set_then_the_defaults_apply_and_the_instance_is_named_after_the_host() throws Exception {
        String host = InetAddress.getLocalHost().getHostName();
        withEnvironment(Map.of()).run(context -> {
            CacheProperties properties = context.getBean(CacheProperties.class);
            assertThat(properties.consensusNodes()).isEqualTo("127.0.0.1:7001");
            assertThat(properties.instanceId()).isEqualTo(host);
            assertThat(properties.maxEntries()).isEqualTo(10_000);
            assertThat(properties.maxBytes()).isEqualTo(64L << 20);
            assertThat(properties.maxValueBytes()).isEqualTo(1 << 20);
            assertThat(properties.lease()).isEqualTo(Duration.ofSeconds(10));
            assertThat(properties.leaseMargin()).isEqualTo(Duration.ofSeconds(2));
            assertThat(properties.writeCommandsInFlight()).isEqualTo(1);
            assertThat(context.getEnvironment().getProperty("server.port")).isEqualTo("8080");
        });
    }

    @Test
    void when_a_setting_is_out_of_range_then_the_service_refuses_to_start() {
        withEnvironment(Map.of("CACHE_MAX_ENTRIES", "0"))
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("cache.max-entries"));
    }

    @Test
    void when_timings_contradict_each_other_then_they_are_refused() {
        assertThatThrownBy(() -> properties(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(1)))
                .hasMessageContaining("cache.lease must be longer than cache.lease-margin");
        assertThatThrownBy(() -> properties(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(8)))
                .hasMessageContaining("cache.keep-alive-interval");
        assertThatThrownBy(() -> properties(Duration.ofHours(2), Duration.ofSeconds(2), Duration.ofSeconds(8)))
                .hasMessageContaining("at most an hour");
        assertThat(properties(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(7))
                        .lease())
                .isEqualTo(Duration.ofSeconds(10));
    }

    private static CacheProperties properties(Duration lease, Duration margin, Duration keepAlive) {
        return new CacheProperties(
                "n1:7001",
                "i",
                10,
                1_000,
                100,
                16,
                lease,
                margin,
                keepAlive,
                Duration.ofSeconds(1),
                lease.plusSeconds(1),
                4);
    }
}
