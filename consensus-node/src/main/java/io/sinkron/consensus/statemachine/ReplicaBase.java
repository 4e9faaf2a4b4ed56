package io.sinkron.consensus.statemachine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the {@link SnapshotReplica} keeps the serialized state its next snapshot starts from: the
 * replicated machines' sections of the last snapshot it wrote or restored. Kept out of the heap (in
 * a directory) on a node, so that a large queue is not resident twice; in memory for tests and the
 * in-memory benchmarks.
 *
 * <p>A base is a cache, never the only copy: the snapshot it was written beside is durable, and a
 * node that restarts rebuilds its base from that snapshot. So a base is neither fsynced nor kept
 * across restarts.
 */
abstract class ReplicaBase {

    /** A base being written; readable once {@link #finish} returns it. */
    interface Sink {
        OutputStream out();

        Stored finish() throws IOException;

        void discard();
    }

    /** A finished base. */
    interface Stored {
        InputStream open() throws IOException;

        void delete();
    }

    abstract Sink create() throws IOException;

    static ReplicaBase inMemory() {
        return new InMemory();
    }

    /** Bases as files in {@code dir}, which is emptied now: what it held was for another process. */
    static ReplicaBase inDirectory(Path dir) throws IOException {
        return new InDirectory(dir);
    }

    private static final class InMemory extends ReplicaBase {

        @Override
        Sink create() {
            var bytes = new ByteArrayOutputStream();
            return new Sink() {
                @Override
                public OutputStream out() {
                    return bytes;
                }

                @Override
                public Stored finish() {
                    byte[] data = bytes.toByteArray();
                    return new Stored() {
                        @Override
                        public InputStream open() {
                            return new ByteArrayInputStream(data);
                        }

                        @Override
                        public void delete() {}
                    };
                }

                @Override
                public void discard() {}
            };
        }
    }

    private static final class InDirectory extends ReplicaBase {

        private final Path dir;
        private final AtomicLong counter = new AtomicLong();

        InDirectory(Path dir) throws IOException {
            this.dir = dir;
            Files.createDirectories(dir);
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }

        @Override
        Sink create() throws IOException {
            long n = counter.incrementAndGet();
            Path tmp = dir.resolve("base-" + n + ".tmp");
            Path done = dir.resolve("base-" + n);
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
            return new Sink() {
                @Override
                public OutputStream out() {
                    return out;
                }

                @Override
                public Stored finish() throws IOException {
                    out.close();
                    Files.move(tmp, done, StandardCopyOption.REPLACE_EXISTING);
                    return new Stored() {
                        @Override
                        public InputStream open() throws IOException {
                            return new BufferedInputStream(Files.newInputStream(done), 1 << 16);
                        }

                        @Override
                        public void delete() {
                            deleteQuietly(done);
                        }
                    };
                }

                @Override
                public void discard() {
                    try {
                        out.close();
                    } catch (IOException e) {
                        // The file goes anyway.
                    }
                    deleteQuietly(tmp);
                }
            };
        }

        private static void deleteQuietly(Path file) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover base is removed when the next process opens the directory.
            }
        }
    }
}
