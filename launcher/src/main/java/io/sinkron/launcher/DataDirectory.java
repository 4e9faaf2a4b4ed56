package io.sinkron.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one folder of a local run: {@code node-1..3/} (the nodes' DATA_DIR), {@code logs/} (one
 * file per process) and {@code sinkron.pid}. A run holds a lock on it for as long as it runs: two
 * clusters writing the same write-ahead logs would destroy them.
 */
final class DataDirectory implements AutoCloseable {

    private static final String LOCK = ".lock";

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    static DataDirectory lock(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException("data directory " + dir + " cannot be created: " + e);
        }
        if (!Files.isWritable(dir)) {
            throw new UsageException("data directory " + dir + " is not writable");
        }
        try {
            FileChannel channel =
                    FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new UsageException("another ./sinkron run is using " + dir
                        + "; stop it (Ctrl-C there, or ./sinkron stop) or give this one --data-dir");
            }
            return new DataDirectory(dir, channel, lock);
        } catch (IOException e) {
            throw new UsageException("cannot lock " + dir.resolve(LOCK) + ": " + e.getMessage());
        }
    }

    Path path() {
        return dir;
    }

    Path logs() {
        Path logs = dir.resolve("logs");
        try {
            return Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    PidFile pids() {
        return PidFile.in(dir);
    }

    /**
     * Deletes what a run stored: the nodes' data, the logs and the pid file. Only those, by name,
     * so that a --data-dir pointing at a folder with other files in it loses none of them.
     */
    void clean(List<String> nodeNames) {
        Stream.concat(nodeNames.stream(), Stream.of("logs", PidFile.NAME))
                .map(dir::resolve)
                .forEach(DataDirectory::deleteTree);
    }

    private static void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UsageException("cannot delete " + path + ": " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        lockChannel.close();
    }
}
