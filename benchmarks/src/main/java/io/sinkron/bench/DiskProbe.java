package io.sinkron.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * How long one small append plus fdatasync takes on the disk the members write to: the floor
 * under every replicated put's latency, since leader and followers each fsync before it commits.
 */
final class DiskProbe {

    record Result(int samples, double p50Millis, double p99Millis) {}

    private DiskProbe() {}

    static Result measure(Path dir, int samples) throws IOException {
        Path file = Files.createTempFile(Files.createDirectories(dir), "fsync-probe", ".dat");
        long[] nanos = new long[samples];
        try (var channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer record = ByteBuffer.allocate(150);
            for (int i = 0; i < samples; i++) {
                record.clear();
                long start = System.nanoTime();
                channel.write(record);
                channel.force(false);
                nanos[i] = System.nanoTime() - start;
            }
        } finally {
            Files.deleteIfExists(file);
        }
        Arrays.sort(nanos);
        return new Result(samples, nanos[samples / 2] / 1e6, nanos[(int) (samples * 0.99)] / 1e6);
    }
}
