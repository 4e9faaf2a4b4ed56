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
 * file per process), {@code sinkron.pid} and {@code port-offset}. A run holds a lock on it for as long as it runs: two
 * clusters writing the same write-ahead logs would destroy them.
 */
final class DataDirectory implements AutoCloseable {

    private static final String LOCK = ".lock";
    private static final String PORT_OFFSET = "port-offset";

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
     * Records the port offset of the run, refusing one that differs from the offset the nodes' data
     * was made with: the nodes keep each other's addresses in their logs and snapshots, so nodes
     * started on other ports would look for their peers on the old ones and never elect a leader.
     */
    void claimPortOffset(int offset, List<String> nodeNames) {
        Path file = dir.resolve(PORT_OFFSET);
        try {
            boolean hasData = nodeNames.stream().anyMatch(n -> Files.exists(dir.resolve(n)));
            if (hasData && Files.exists(file)) {
                int recorded = Integer.parseInt(Files.readString(file).strip());
                if (recorded != offset) {
                    throw new UsageException("the nodes' data in " + dir + " is of a cluster on --port-offset "
                            + recorded + ", and nodes remember each other's addresses; run with --port-offset "
                            + recorded + ", or with --clean to start from empty");
                }
            }
            Files.writeString(file, Integer.toString(offset));
        } catch (IOException | NumberFormatException e) {
            throw new UsageException("cannot read or write " + file + ": " + e.getMessage());
        }
    }

    /**
     * Deletes what a run stored: the nodes' data, the logs, the pid file and the port offset. Only those, by name,
     * so that a --data-dir pointing at a folder with other files in it loses none of them.
     */
    void clean(List<String> nodeNames) {
        Stream.concat(nodeNames.stream(), Stream.of("logs", PidFile.NAME, PORT_OFFSET))
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
