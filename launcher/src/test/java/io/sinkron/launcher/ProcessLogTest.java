package io.sinkron.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLogTest {

    @TempDir
    Path dir;

    @Test
    void every_line_reaches_the_console_in_order_including_an_unterminated_last_one() throws Exception {
        Path file = dir.resolve("p.log");
        // Lines written before and after a pause, and a last one without a newline, written just before exit.
        Process process = new ProcessBuilder("sh", "-c", "echo one; echo two; sleep 0.3; echo three; printf four")
                .redirectErrorStream(true)
                .redirectOutput(file.toFile())
                .start();
        var bytes = new ByteArrayOutputStream();
        var console = new Console(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);

        Thread follower = Thread.ofPlatform().start(new ProcessLog("p", file, process, console));
        follower.join(java.time.Duration.ofSeconds(20));

        assertThat(follower.isAlive())
                .as("the follower ends once the process has exited")
                .isFalse();
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
                .containsExactly("p        | one", "p        | two", "p        | three", "p        | four");
    }
}
