package io.sinkron.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortCheckTest {

    @Test
    void when_something_listens_on_loopback_then_the_port_is_busy_and_named() throws Exception {
        try (var taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();

            var busy = PortCheck.busy(Map.of(port, "lock HTTP"));

            assertThat(busy).singleElement().satisfies(b -> {
                assertThat(b.port()).isEqualTo(port);
                assertThat(b.describe()).startsWith("port " + port + " (lock HTTP) is already in use");
                // The holder is this test's own JVM, not a process of a local run.
                assertThat(b.localRun()).isEmpty();
            });
        }
    }

    @Test
    void when_the_port_is_free_then_nothing_is_reported() throws Exception {
        int port;
        try (var probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        assertThat(PortCheck.busy(Map.of(port, "node-1 gRPC"))).isEmpty();
    }
}
