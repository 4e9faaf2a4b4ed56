package io.sinkron.consensus.storage;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link FileIo} over the real file system that logs every durability-relevant call and can
 * simulate a power failure.
 *
 * <p>It models the two things fsync protects separately: a file's content becomes durable when the
 * file is forced, and a name (creation, rename, deletion) becomes durable when its directory is
 * synced. {@link #crash()} puts the disk back to exactly that durable state: unforced data is lost
 * entirely and unsynced names revert, the harshest outcome a real disk may produce.
 */
final class CrashingFileIo implements FileIo {

    /** The content of one file, as last forced; null if it never was. */
    private static final class Inode {
        byte[] durable;
    }

    private final FileIo real = FileIo.system();
    private final List<String> events = new ArrayList<>();
    private final Map<Path, Inode> names = new HashMap<>();
    private final Map<Path, Map<Path, Inode>> durableNames = new HashMap<>();
    private final List<FileChannel> openChannels = new ArrayList<>();
    private boolean failNextForce;

    /** Calls so far, e.g. {@code "write 00000000000000000001.wal"} or {@code "syncdir wal"}. */
    List<String> events() {
        return List.copyOf(events);
    }

    void clearEvents() {
        events.clear();
    }

    /** Makes the next force fail with an IOException, as a failing disk would. */
    void failNextForce() {
        failNextForce = true;
    }

    /**
     * Simulates a power failure: closes every channel opened through this instance and restores
     * each file and name this instance has seen to its durable state.
     */
    void crash() throws IOException {
        for (var channel : openChannels) {
            channel.close();
        }
        openChannels.clear();
        for (var path : names.keySet()) {
            Files.deleteIfExists(path);
        }
        names.clear();
        for (var entries : durableNames.values()) {
            for (var entry : entries.entrySet()) {
                var content = entry.getValue().durable;
                Files.write(entry.getKey(), content == null ? new byte[0] : content);
                names.put(entry.getKey(), entry.getValue());
            }
        }
        events.add("crash");
    }

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        var optionSet = Set.of(options);
        boolean exists = Files.exists(file);
        var channel = real.open(file, options);
        var inode = names.get(file);
        if (inode == null) {
            inode = new Inode();
            names.put(file, inode);
            if (exists) {
                // Present before this instance saw it: treat it as already durable.
                inode.durable = Files.readAllBytes(file);
                durableNames
                        .computeIfAbsent(file.getParent(), dir -> new LinkedHashMap<>())
                        .put(file, inode);
            }
        }
        boolean created = !exists && (optionSet.contains(CREATE) || optionSet.contains(CREATE_NEW));
        events.add((created ? "create " : "open ") + file.getFileName());
        var recording = new RecordingChannel(channel, inode, file);
        openChannels.add(recording);
        return recording;
    }

    @Override
    public void delete(Path file) throws IOException {
        real.delete(file);
        names.remove(file);
        events.add("delete " + file.getFileName());
    }

    @Override
    public void atomicMove(Path source, Path target) throws IOException {
        real.atomicMove(source, target);
        names.put(target, names.remove(source));
        events.add("move " + source.getFileName() + " " + target.getFileName());
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        real.syncDirectory(dir);
        var snapshot = new LinkedHashMap<Path, Inode>();
        names.forEach((path, inode) -> {
            if (path.getParent().equals(dir)) {
                snapshot.put(path, inode);
            }
        });
        durableNames.put(dir, snapshot);
        events.add("syncdir " + dir.getFileName());
    }

    /** Delegates to a real channel, logging writes, truncations and forces. */
    private final class RecordingChannel extends FileChannel {
        private final FileChannel delegate;
        private final Inode inode;
        private final Path path;
        private final String name;

        RecordingChannel(FileChannel delegate, Inode inode, Path path) {
            this.delegate = delegate;
            this.inode = inode;
            this.path = path;
            this.name = path.getFileName().toString();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return delegate.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            events.add("write " + name);
            return delegate.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            events.add("write " + name);
            return delegate.write(srcs, offset, length);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            events.add("write " + name);
            return delegate.write(src, position);
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            events.add("truncate " + name);
            delegate.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (failNextForce) {
                failNextForce = false;
                throw new IOException("simulated force failure on " + name);
            }
            delegate.force(metaData);
            // Read by name: callers never rename a file while it is open, and it may be write-only.
            inode.durable = Files.readAllBytes(path);
            events.add("force " + name);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() throws IOException {
            delegate.close();
        }
    }
}
