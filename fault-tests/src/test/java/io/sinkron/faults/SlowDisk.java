package io.sinkron.faults;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Slow disks for chosen consensus nodes: {@code slow_fsync.c} (a test resource), compiled here with
 * the system C compiler and preloaded into every node, delays each {@code fsync}/{@code fdatasync}
 * a node makes by the milliseconds this class writes into the node's delay file. Nodes started with
 * {@link #env()} run at full speed until {@link #slow} names them.
 */
final class SlowDisk {

    private static final String SOURCE = "slow_fsync.c";

    private final Path library;
    private final Path delays;

    private SlowDisk(Path library, Path delays) {
        this.library = library;
        this.delays = delays;
    }

    /** Compiles the preload library into {@code dir}; fails with the compiler's output if it cannot. */
    static SlowDisk prepare(Path dir) throws IOException, InterruptedException {
        Path delays = Files.createDirectories(dir.resolve("fsync-delays"));
        Path source = dir.resolve(SOURCE);
        try (InputStream in = SlowDisk.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SOURCE + " is not on the test classpath");
            }
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path library = dir.resolve("libsinkron-slow-fsync.so");
        Path log = dir.resolve("slow-fsync-cc.log");
        Process cc = new ProcessBuilder(
                        "cc", "-shared", "-fPIC", "-O2", "-o", library.toString(), source.toString(), "-ldl")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!cc.waitFor(2, TimeUnit.MINUTES)) {
            cc.destroyForcibly();
            throw new IllegalStateException("cc did not finish compiling " + SOURCE + " within 2 minutes");
        }
        if (cc.exitValue() != 0) {
            throw new IllegalStateException("cc could not compile " + SOURCE + " (slow-disk faults need a C compiler: "
                    + "apt-get install gcc libc6-dev):\n" + Files.readString(log));
        }
        return new SlowDisk(library, delays);
    }

    /** What a node needs in its environment to have its disk slowed later. */
    Map<String, String> env() {
        return Map.of("LD_PRELOAD", library.toString(), "SINKRON_FSYNC_DELAY_DIR", delays.toString());
    }

    /** From now on every flush of {@code nodeId} takes at least {@code delay} longer. */
    void slow(String nodeId, Duration delay) throws IOException {
        write(nodeId, Long.toString(delay.toMillis()));
    }

    /** {@code nodeId}'s flushes take their own time again. */
    void heal(String nodeId) throws IOException {
        write(nodeId, "0");
    }

    private void write(String nodeId, String millis) throws IOException {
        // Replaced by a rename, so that a flush never reads a half-written number.
        Path next = Files.createTempFile(delays, nodeId, ".next");
        Files.writeString(next, millis, StandardCharsets.US_ASCII);
        Files.move(next, delays.resolve(nodeId), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
