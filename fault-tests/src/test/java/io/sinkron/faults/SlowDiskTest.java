package io.sinkron.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slow-disk fault acts on a real JVM's {@code FileChannel.force}: a child JVM with the preload
 * library forces a file {@value #FLUSHES} times and reports how long that took.
 */
class SlowDiskTest {

    private static final int FLUSHES = 3;
    private static final Duration DELAY = Duration.ofMillis(1_000);

    @TempDir
    static Path dir;

    private static SlowDisk disk;

    @BeforeAll
    static void compile() throws Exception {
        disk = SlowDisk.prepare(dir);
    }

    @Test
    void when_a_node_is_slowed_then_each_of_its_flushes_waits_the_delay() throws Exception {
        disk.slow("node-7", DELAY);

        assertThat(flushMillis("node-7")).isGreaterThanOrEqualTo(FLUSHES * DELAY.toMillis());
    }

    @Test
    void when_another_node_is_slowed_or_the_node_healed_then_its_flushes_do_not_wait() throws Exception {
        disk.slow("node-8", DELAY);
        disk.slow("node-9", DELAY);
        disk.heal("node-9");

        // Three flushes of one byte; far below the three seconds the delay alone would add.
        assertThat(flushMillis("node-1")).isLessThan(FLUSHES * DELAY.toMillis());
        assertThat(flushMillis("node-9")).isLessThan(FLUSHES * DELAY.toMillis());
    }

    /** Runs {@link Flusher} as {@code nodeId} with the library preloaded; its elapsed milliseconds. */
    private static long flushMillis(String nodeId) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        var builder = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Flusher.class.getName(),
                        Files.createTempFile(dir, "flushed", ".bin").toString())
                .redirectErrorStream(true);
        builder.environment().putAll(disk.env());
        builder.environment().put("NODE_ID", nodeId);
        Process child = builder.start();
        if (!child.waitFor(1, TimeUnit.MINUTES)) {
            child.destroyForcibly();
            throw new AssertionError("the flushing JVM did not finish within a minute");
        }
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(child.exitValue()).as("exit of the flushing JVM: %s", output).isZero();
        return Long.parseLong(output.lines().reduce((a, b) -> b).orElseThrow());
    }

    /** The child: writes and forces one byte {@value #FLUSHES} times, prints the milliseconds it took. */
    static final class Flusher {
        public static void main(String[] args) throws IOException {
            try (var channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
                long start = System.nanoTime();
                for (int i = 0; i < FLUSHES; i++) {
                    channel.write(ByteBuffer.wrap(new byte[] {(byte) i}), i);
                    channel.force(false);
                }
                System.out.println(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        }
    }
}
