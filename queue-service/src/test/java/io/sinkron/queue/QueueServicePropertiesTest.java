package io.sinkron.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class QueueServicePropertiesTest {

    @Test
    void defaults_are_the_documented_ones() {
        QueueServiceProperties p = bind(Map.of("sinkron.queue.consensus-nodes", "n1:7000,n2:7000"));

        assertThat(p.consensusNodes()).isEqualTo("n1:7000,n2:7000");
        assertThat(p.maxMessageSize()).isEqualTo(DataSize.ofMegabytes(1));
        assertThat(p.maxMessageSize().toBytes()).isEqualTo(1 << 20);
        assertThat(p.maxBatchSize()).isEqualTo(DataSize.ofMegabytes(3));
        assertThat(p.maxRequestSize()).isEqualTo(DataSize.ofMegabytes(8));
        assertThat(p.maxWait()).isEqualTo(Duration.ofSeconds(20));
        assertThat(p.metricsRefresh()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void inconsistent_limits_or_no_nodes_are_refused_at_startup() {
        assertThatThrownBy(() -> bind(Map.of("sinkron.queue.consensus-nodes", " ")))
                .isInstanceOf(BindException.class)
                .hasStackTraceContaining("CONSENSUS_NODES");
        assertThatThrownBy(() -> bind(
                        Map.of("sinkron.queue.consensus-nodes", "n1:7000", "sinkron.queue.max-message-size", "4MB")))
                .isInstanceOf(BindException.class)
                .hasStackTraceContaining("exceeds max-batch-size");
    }

    private static QueueServiceProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("sinkron.queue", QueueServiceProperties.class);
    }
}
