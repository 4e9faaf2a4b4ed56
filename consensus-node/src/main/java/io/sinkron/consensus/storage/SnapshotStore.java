package io.sinkron.consensus.storage;

import io.sinkron.consensus.node.SnapshotFile;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.SnapshotMeta;
import io.sinkron.consensus.statemachine.StateMachine;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Snapshot files of one Raft group. A file is {@code [magic][index][term][config length][config]
 * [data length][data crc32c][data]}; it is written to a temporary name, fsynced, renamed, and the
 * directory fsynced, so a snapshot either exists whole or not at all. The newest two are kept.
 *
 * <p>A received snapshot is staged under {@code incoming/} while it streams in, verified, and
 * adopted (renamed into place) only when the core decides to install it.
 */
public final class SnapshotStore {

    private static final long MAGIC = 0x534B534E41503031L; // "SKSNAP01"
    private static final String SUFFIX = ".snap";
    private static final int KEEP = 2;

    private final Path dir;
    private final Path incoming;

    private SnapshotStore(Path dir) throws IOException {
        this.dir = dir;
        this.incoming = dir.resolve("incoming");
        Files.createDirectories(incoming);
    }

    public static SnapshotStore open(Path dir) throws IOException {
        var store = new SnapshotStore(dir);
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".tmp"))
                    .toList()) {
                Files.delete(p);
            }
        }
        return store;
    }

    public Path incomingDir() {
        return incoming;
    }

    /**
     * The newest snapshot, verified. A damaged newest snapshot is an error, not a reason to fall
     * back: the log before it may already be compacted away.
     */
    public Optional<SnapshotFile> latest() throws IOException {
        List<Path> files = snapshotFiles();
        if (files.isEmpty()) {
            return Optional.empty();
        }
        Path newest = files.getLast();
        return Optional.of(verify(newest));
    }

    /** Writes a snapshot durably and drops all but the newest {@value #KEEP}. */
    public SnapshotFile save(SnapshotMeta meta, byte[] data) throws IOException {
        return save(meta, out -> out.write(data));
    }

    /**
     * Writes a snapshot whose data {@code data} streams straight into the file (no copy of the whole
     * state in memory), durably, and drops all but the newest {@value #KEEP}. The data's length and
     * checksum are filled into the header once it is written.
     */
    public SnapshotFile save(SnapshotMeta meta, StateMachine.SnapshotWriter data) throws IOException {
        Path target = dir.resolve(fileName(meta));
        Path tmp = dir.resolve(fileName(meta) + ".tmp");
        byte[] header = header(meta, 0, 0);
        long length;
        try (var ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            writeFully(ch, ByteBuffer.wrap(header));
            var crc = new CRC32C();
            var counted = new CountingOutputStream(Channels.newOutputStream(ch));
            var out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(counted, crc), 1 << 16));
            data.writeTo(out);
            out.flush();
            length = counted.count;
            byte[] filled = header(meta, length, (int) crc.getValue());
            ch.position(0);
            writeFully(ch, ByteBuffer.wrap(filled));
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        moveDurably(tmp, target);
        prune();
        return new SnapshotFile(meta, target, header.length + length);
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** Checks a file's header and data checksum and returns what it covers. */
    public static SnapshotFile verify(Path file) throws IOException {
        try (var in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            SnapshotMeta meta = readHeader(file, in);
            long length = in.readLong();
            int crc = in.readInt();
            var actual = new CRC32C();
            byte[] buf = new byte[1 << 16];
            long remaining = length;
            while (remaining > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (n < 0) {
                    throw new IOException("snapshot " + file + " is truncated");
                }
                actual.update(buf, 0, n);
                remaining -= n;
            }
            if ((int) actual.getValue() != crc) {
                throw new IOException("snapshot " + file + " fails its checksum");
            }
            return new SnapshotFile(meta, file, Files.size(file));
        }
    }

    /** The state machine data of a verified snapshot. */
    public byte[] readData(SnapshotFile snapshot) throws IOException {
        try (InputStream raw = Files.newInputStream(snapshot.file());
                var in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            readHeader(snapshot.file(), in);
            long length = in.readLong();
            int crc = in.readInt();
            if (length > Integer.MAX_VALUE - 16) {
                throw new IOException("snapshot " + snapshot.file() + " is larger than 2 GiB");
            }
            byte[] data = new byte[(int) length];
            in.readFully(data);
            var actual = new CRC32C();
            actual.update(data);
            if ((int) actual.getValue() != crc) {
                throw new IOException("snapshot " + snapshot.file() + " fails its checksum");
            }
            return data;
        }
    }

    /** Moves a verified, fully received snapshot file from {@code incoming/} into place. */
    public SnapshotFile adopt(Path received) throws IOException {
        SnapshotFile s = verify(received);
        Path target = dir.resolve(fileName(s.meta()));
        moveDurably(received, target);
        prune();
        return new SnapshotFile(s.meta(), target, s.sizeBytes());
    }

    private static String fileName(SnapshotMeta meta) {
        return String.format("snapshot-%020d-%020d%s", meta.index(), meta.term(), SUFFIX);
    }

    private List<Path> snapshotFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return new ArrayList<>(files.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList());
        }
    }

    private void prune() throws IOException {
        List<Path> files = snapshotFiles();
        for (int i = 0; i < files.size() - KEEP; i++) {
            Files.deleteIfExists(files.get(i));
        }
        fsyncDirectory(dir);
    }

    private static byte[] header(SnapshotMeta meta, long dataLength, int dataCrc) throws IOException {
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeLong(MAGIC);
        out.writeLong(meta.index());
        out.writeLong(meta.term());
        byte[] config = meta.membership().encode();
        out.writeInt(config.length);
        out.write(config);
        out.writeLong(dataLength);
        out.writeInt(dataCrc);
        return bytes.toByteArray();
    }

    private static SnapshotMeta readHeader(Path file, DataInputStream in) throws IOException {
        if (in.readLong() != MAGIC) {
            throw new IOException(file + " is not a Sinkron snapshot");
        }
        long index = in.readLong();
        long term = in.readLong();
        int configLength = in.readInt();
        if (configLength < 0 || configLength > (16 << 20)) {
            throw new IOException("snapshot " + file + " has a corrupt header");
        }
        byte[] config = new byte[configLength];
        in.readFully(config);
        return new SnapshotMeta(index, term, Membership.decode(config));
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private void moveDurably(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDirectory(dir);
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (var ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
