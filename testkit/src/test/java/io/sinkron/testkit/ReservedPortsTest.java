package io.sinkron.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReservedPortsTest {

    @Test
    void ports_are_distinct_outside_the_ephemeral_range_and_free() throws IOException {
        int[] ephemeral = ReservedPorts.ephemeralRange();
        int[] ports = ReservedPorts.take(6);
        int[] more = ReservedPorts.take(6);

        int[] all = new int[12];
        System.arraycopy(ports, 0, all, 0, 6);
        System.arraycopy(more, 0, all, 6, 6);
        assertThat(Arrays.stream(all).distinct().count())
                .as("a port is handed out once per JVM")
                .isEqualTo(12);
        for (int port : all) {
            assertThat(port).isBetween(ReservedPorts.LOWEST, 65_535);
            assertThat(port < ephemeral[0] || port > ephemeral[1])
                    .as("%d outside the ephemeral range %d-%d", port, ephemeral[0], ephemeral[1])
                    .isTrue();
            try (var server = new ServerSocket()) {
                server.bind(new InetSocketAddress("127.0.0.1", port));
            }
        }
    }

    @Test
    void the_larger_stretch_beside_the_ephemeral_range_is_used() {
        assertThat(ReservedPorts.candidateRange(new int[] {32_768, 60_999})).containsExactly(10_000, 32_767);
        assertThat(ReservedPorts.candidateRange(new int[] {1_024, 20_000})).containsExactly(20_001, 65_535);
        assertThat(ReservedPorts.candidateRange(new int[] {5_000, 15_000})).containsExactly(15_001, 65_535);
        assertThatThrownBy(() -> ReservedPorts.candidateRange(new int[] {1_024, 65_535}))
                .hasMessageContaining("leaves no ports");
    }
}
