package io.sinkron.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsensusClientConfigTest {

    @Test
    void parsesAddressListWithDefaults() {
        ConsensusClientConfig config = ConsensusClientConfig.parse(" n1:7000, n2:7001 ,[::1]:7002");

        assertThat(config.nodes())
                .containsExactly(
                        new NodeAddress("n1", 7000), new NodeAddress("n2", 7001), new NodeAddress("::1", 7002));
        assertThat(config.nodes().get(2)).hasToString("[::1]:7002");
        assertThat(config.groupId()).isEqualTo("default");
        assertThat(config.clientId()).isNull();
        assertThat(config.defaultDeadline()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.backoffBase()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.backoffMax()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.useTls()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "n1",
                "n1:",
                ":7000",
                "n1:abc",
                "n1:0",
                "n1:65536",
                "n1:7000,,n2:7000",
                "n1:7000,",
                "::1:7000",
                "n1:7000,n1:7000"
            })
    void rejectsMalformedAddressLists(String text) {
        assertThatThrownBy(() -> ConsensusClientConfig.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }

    @Test
    void validatesSettings() {
        ConsensusClientConfig config = ConsensusClientConfig.parse("n1:7000");

        assertThatThrownBy(() -> config.withBackoff(Duration.ofMillis(100), Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> config.withDefaultDeadline(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> config.withGroupId(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> config.withMaxAttempts(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConsensusClientConfig.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(config.withTls(Path.of("ca.pem")).useTls()).isTrue();
    }
}
