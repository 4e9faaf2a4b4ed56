package io.sinkron.consensus.storage;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import io.sinkron.consensus.raft.Entry;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The durable Raft log: a write-ahead log of {@link Entry entries} split into segment files in one
 * directory.
 *
 * <p>Each segment is named after the index of its first entry ({@code %020d.wal}) and holds a run of
 * contiguous entries in the record format of {@link WalRecord}, each record protected by a CRC32C.
 * A new segment starts when the current one would grow past {@link WalOptions#segmentBytes()}.
 * Every segment on disk holds at least one entry, and segments together hold one contiguous range
 * of indexes.
 *
 * <p><b>Durability.</b> {@link #append} only buffers: appended entries are not durable until
 * {@link #sync()} returns. {@link #truncateSuffix} and {@link #compactPrefix} are durable when they
 * return. A crash loses at most what was appended after the last completed {@code sync()}.
 *
 * <p><b>Preallocation.</b> With {@link WalOptions#preallocateBytes()}, the last segment is filled
 * with zeros ahead of its end, so a segment file may be longer than its records. A record header of
 * zeros marks the end of a segment's records; what follows must be zeros too (in the last segment,
 * anything else after it is treated as a torn tail).
 *
 * <p><b>Recovery.</b> {@link #open} reads every record and checks its CRC. Damage at the very end of
 * the last segment, with nothing valid after it, is what a crash during a write leaves behind (a
 * torn tail); it is cut away and opening continues. Any other damage (a bad record followed by a
 * valid one, a bad record in an earlier segment, a gap in the indexes) raises {@link
 * CorruptWalException}. Since the operating system may write unsynced pages out of order, a crash
 * can in rare cases leave an unsynced bad record followed by an unsynced good one; that also raises
 * the exception, because it cannot be told apart from damage to acknowledged entries.
 *
 * <p><b>Threads.</b> Not thread-safe: one writer (the Raft driver thread) calls every method. The
 * metric getters alone may be called from any thread.
 *
 * <p><b>Failures.</b> After an I/O error from a write, force or file operation the on-disk state is
 * unknown (a failed fsync may have dropped dirty pages), so the instance refuses further use; open
 * the directory again to recover from what is on disk.
 */
public final class SegmentedWal implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SegmentedWal.class.getName());

    private final Path dir;
    private final WalOptions options;
    private final FileIo io;
    private final List<Segment> segments = new ArrayList<>();
    private final ByteBuffer buffer;
    // Term, index and type of the record being appended, so the CRC can cover them before they are
    // copied to the buffer.
    private final ByteBuffer fixedBody = ByteBuffer.allocate(WalRecord.FIXED_BODY_BYTES);
    private final CRC32C crc = new CRC32C();

    /** Channel of the last segment, or null when the log is empty. */
    private FileChannel active;
    /** Bytes of the last segment already written to {@link #active}; the buffer holds the rest. */
    private long activeWrittenBytes;
    /** Length of the active segment's file: records, then preallocated zeros. */
    private long activeFileBytes;
    /** Records were written or buffered since the last force of the active segment. */
    private boolean dataDirty;
    /** A segment was created since the directory was last synced. */
    private boolean dirDirty;

    private List<Entry> recoveredEntries = List.of();
    private IOException failure;
    private boolean closed;

    private volatile long bytesWritten;
    private volatile long syncCount;
    private volatile long lastSyncNanos;

    private SegmentedWal(Path dir, WalOptions options, FileIo io) {
        this.dir = dir;
        this.options = options;
        this.io = io;
        this.buffer = ByteBuffer.allocateDirect(options.bufferBytes());
    }

    /**
     * Opens the log in {@code dir}, creating the directory if needed, and recovers the entries found
     * there (see the class description for how damage is handled). Files in {@code dir} that are not
     * segments are ignored, so the directory may be shared with {@link HardStateStore}.
     *
     * @throws CorruptWalException if the log is damaged beyond a torn tail
     */
    public static SegmentedWal open(Path dir, WalOptions options) throws IOException {
        return open(dir, options, FileIo.system());
    }

    static SegmentedWal open(Path dir, WalOptions options, FileIo io) throws IOException {
        Objects.requireNonNull(options, "options");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            // The directory's own name must be durable, or its segments could vanish with it.
            var parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                io.syncDirectory(parent);
            }
        }
        var wal = new SegmentedWal(dir, options, io);
        try {
            wal.recover();
        } catch (IOException | RuntimeException e) {
            wal.closeChannelQuietly();
            throw e;
        }
        return wal;
    }

    /**
     * The entries found by {@link #open}, in index order. This is a snapshot taken at open time and
     * does not follow later appends, truncations or compactions.
     */
    public List<Entry> recoveredEntries() {
        return recoveredEntries;
    }

    /**
     * Index of the first entry. An empty log has no position: it reports {@code firstIndex() == 1}
     * and {@code lastIndex() == 0}, whatever it held before, so {@code firstIndex() == lastIndex() +
     * 1} holds in every state.
     */
    public long firstIndex() {
        return segments.isEmpty() ? 1 : segments.getFirst().firstIndex();
    }

    /** Index of the last entry, appended or recovered, or 0 if the log is empty. */
    public long lastIndex() {
        return segments.isEmpty() ? 0 : segments.getLast().lastIndex();
    }

    public boolean isEmpty() {
        return segments.isEmpty();
    }

    /**
     * Appends {@code entries} to the log. They are buffered, not durable: call {@link #sync()}.
     *
     * @throws IllegalArgumentException if the entries are not contiguous, do not follow {@link
     *     #lastIndex()} (an empty log accepts any first index of at least 1, e.g. to continue after a
     *     snapshot), or one would not fit in a segment; nothing is appended then
     */
    public void append(List<Entry> entries) throws IOException {
        checkUsable();
        if (entries.isEmpty()) {
            return;
        }
        long expected = isEmpty() ? entries.getFirst().index() : lastIndex() + 1;
        if (expected < 1) {
            throw new IllegalArgumentException("entry indexes start at 1, got " + expected);
        }
        // Validate everything first so a rejected batch leaves the log untouched.
        for (var entry : entries) {
            if (entry.index() != expected) {
                throw new IllegalArgumentException(
                        "entry index " + entry.index() + " is not contiguous, expected " + expected);
            }
            if (WalRecord.sizeOf(entry) > options.segmentBytes()) {
                throw new IllegalArgumentException("entry " + entry.index() + " needs " + WalRecord.sizeOf(entry)
                        + " bytes, more than a segment of " + options.segmentBytes());
            }
            expected++;
        }
        try {
            long appended = 0;
            for (var entry : entries) {
                appended += appendRecord(entry);
            }
            dataDirty = true;
            bytesWritten += appended;
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Makes everything appended so far durable: writes out the buffer, forces the last segment and,
     * if segments were created since the last sync, the directory. When this method returns, all
     * appended entries are durable. Returns at once, without I/O, if nothing changed.
     */
    public void sync() throws IOException {
        checkUsable();
        if (!dataDirty && !dirDirty) {
            return;
        }
        long start = System.nanoTime();
        try {
            if (dataDirty) {
                flushBuffer();
                active.force(false);
                dataDirty = false;
            }
            // After the data: a segment's name must be durable too, or its forced data is unreachable.
            if (dirDirty) {
                syncDirectory();
            }
        } catch (IOException e) {
            throw fail(e);
        }
        lastSyncNanos = System.nanoTime() - start;
        syncCount++;
    }

    /**
     * Removes every entry with index {@code fromIndex} or higher, for Raft's conflict resolution.
     * Later segments are deleted and the segment holding {@code fromIndex} is cut. When this method
     * returns, the truncation and every earlier append are durable.
     */
    public void truncateSuffix(long fromIndex) throws IOException {
        checkUsable();
        if (fromIndex < 1) {
            throw new IllegalArgumentException("fromIndex must be at least 1, was " + fromIndex);
        }
        if (isEmpty() || fromIndex > lastIndex()) {
            return;
        }
        try {
            // Offsets refer to file positions, so buffered records must reach the file before cutting it.
            flushBuffer();
            // Newest first, with a directory sync after each, so a crash leaves a contiguous prefix.
            while (!segments.isEmpty() && segments.getLast().firstIndex() >= fromIndex) {
                var removed = segments.removeLast();
                closeActive();
                deleteDurably(removed.path());
            }
            if (segments.isEmpty()) {
                dataDirty = false;
                return;
            }
            var last = segments.getLast();
            if (active == null) {
                active = io.open(last.path(), READ, WRITE);
            }
            if (last.lastIndex() >= fromIndex) {
                active.truncate(last.offsetOf(fromIndex));
                last.truncateFrom(fromIndex);
            }
            activeWrittenBytes = last.sizeBytes();
            activeFileBytes = active.size();
            active.force(false);
            dataDirty = false;
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Deletes the segment files whose entries all have an index of at most {@code upToIndex}, once a
     * snapshot covers them. Entries above {@code upToIndex} that share a segment with covered ones
     * stay, so {@link #firstIndex()} may remain below {@code upToIndex + 1}. When this method returns,
     * the deletions are durable.
     */
    public void compactPrefix(long upToIndex) throws IOException {
        checkUsable();
        try {
            // Oldest first, with a directory sync after each, so a crash leaves a contiguous suffix.
            while (!segments.isEmpty() && segments.getFirst().lastIndex() <= upToIndex) {
                var removed = segments.removeFirst();
                if (segments.isEmpty()) {
                    // The active segment is covered too: its buffered records are in the snapshot.
                    buffer.clear();
                    closeActive();
                    dataDirty = false;
                }
                deleteDurably(removed.path());
            }
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Writes out buffered records and closes the log. Does not force them: call {@link #sync()} first
     * for durability. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (failure == null && active != null) {
                flushBuffer();
            }
        } finally {
            closeChannelQuietly();
        }
    }

    /** Record bytes appended since open, whether synced yet or not. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Number of {@link #sync()} calls that had something to force. */
    public long syncCount() {
        return syncCount;
    }

    /** Duration of the last {@link #sync()} that had something to force, in nanoseconds. */
    public long lastSyncNanos() {
        return lastSyncNanos;
    }

    private void recover() throws IOException {
        var files = new TreeMap<Long, Path>();
        try (var listing = Files.list(dir)) {
            for (var path : (Iterable<Path>) listing::iterator) {
                Segment.parseFirstIndex(path.getFileName().toString())
                        .ifPresent(firstIndex -> files.put(firstIndex, path));
            }
        }
        var recovered = new ArrayList<Entry>();
        for (var file : files.entrySet()) {
            var segment = new Segment(file.getValue(), file.getKey());
            if (!segments.isEmpty() && segment.firstIndex() != lastIndex() + 1) {
                throw new CorruptWalException(
                        segment.path(),
                        0,
                        "segment starts at index " + segment.firstIndex() + " but the previous one ends at "
                                + lastIndex());
            }
            boolean last = file.getKey().equals(files.lastKey());
            if (last) {
                active = io.open(segment.path(), READ, WRITE);
                recoverSegment(segment, active, true, recovered);
            } else {
                try (var channel = io.open(segment.path(), READ)) {
                    recoverSegment(segment, channel, false, recovered);
                }
            }
            if (segment.count() > 0) {
                segments.add(segment);
            } else if (last) {
                // A crash just after a rollover can leave the newest segment empty (or holding only a
                // torn record, cut above). Drop it, so every segment on disk holds an entry.
                closeActive();
                deleteDurably(segment.path());
            } else {
                throw new CorruptWalException(segment.path(), 0, "segment holds no records");
            }
        }
        if (!segments.isEmpty()) {
            if (active == null) {
                active = io.open(segments.getLast().path(), READ, WRITE);
            }
            activeWrittenBytes = segments.getLast().sizeBytes();
            activeFileBytes = active.size();
        }
        recoveredEntries = Collections.unmodifiableList(recovered);
    }

    private void recoverSegment(Segment segment, FileChannel channel, boolean last, List<Entry> out)
            throws IOException {
        var image = readFully(channel, segment.path());
        int limit = image.capacity();
        int offset = 0;
        while (offset < limit) {
            // In the last segment, zeros shorter than a header are a torn header, cut below.
            boolean zeroTail =
                    (!last || limit - offset >= WalRecord.HEADER_BYTES) && startsWithZeroHeader(image, offset, limit);
            if (zeroTail) {
                if (allZero(image, offset, limit)) {
                    return; // Preallocated space: the records end here.
                }
                if (!last) {
                    throw new CorruptWalException(segment.path(), offset, "data follows the end of the records");
                }
            }
            switch (WalRecord.decode(image, offset, limit, crc)) {
                case WalRecord.Valid(var entry, var next) -> {
                    long expected = segment.lastIndex() + 1;
                    if (entry.index() != expected) {
                        throw new CorruptWalException(
                                segment.path(),
                                offset,
                                "record holds index " + entry.index() + " where " + expected + " was expected");
                    }
                    segment.add(next - offset);
                    out.add(entry);
                    offset = next;
                }
                case WalRecord.Invalid(var reason, var mayBeTorn) -> {
                    if (!last || !mayBeTorn) {
                        throw new CorruptWalException(segment.path(), offset, reason);
                    }
                    int later = WalRecord.findValidRecord(image, offset + 1, limit, crc);
                    if (later >= 0) {
                        throw new CorruptWalException(
                                segment.path(), offset, reason + ", yet a valid record follows at offset " + later);
                    }
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "Cutting torn tail of {0}: {1} bytes from offset {2} ({3})",
                            segment.path(),
                            limit - offset,
                            offset,
                            reason);
                    channel.truncate(offset);
                    channel.force(false);
                    return;
                }
            }
        }
    }

    /** The record header at {@code offset} (or what is left of the file, if less) is all zeros. */
    private static boolean startsWithZeroHeader(ByteBuffer image, int offset, int limit) {
        return allZero(image, offset, Math.min(limit, offset + WalRecord.HEADER_BYTES));
    }

    private static boolean allZero(ByteBuffer image, int offset, int limit) {
        int i = offset;
        for (; i + Long.BYTES <= limit; i += Long.BYTES) {
            if (image.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < limit; i++) {
            if (image.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer readFully(FileChannel channel, Path path) throws IOException {
        long size = channel.size();
        if (size > WalOptions.MAX_SEGMENT_BYTES) {
            throw new CorruptWalException(
                    path, 0, "segment of " + size + " bytes is larger than any segment this log writes");
        }
        var image = ByteBuffer.allocate((int) size);
        while (image.hasRemaining()) {
            if (channel.read(image, image.position()) < 0) {
                throw new EOFException("segment " + path + " shrank while being read");
            }
        }
        return image.clear();
    }

    /** Buffers the record of {@code entry}, starting a segment first if needed; returns its size. */
    private long appendRecord(Entry entry) throws IOException {
        long recordBytes = WalRecord.sizeOf(entry);
        if (active == null) {
            startSegment(entry.index());
        } else if (segments.getLast().sizeBytes() + recordBytes > options.segmentBytes()) {
            rollOver(entry.index());
        }
        byte[] data = entry.data();
        fixedBody.clear().putLong(entry.term()).putLong(entry.index()).put((byte)
                entry.type().code());
        crc.reset();
        crc.update(fixedBody.flip());
        crc.update(data);
        if (buffer.remaining() < recordBytes) {
            flushBuffer();
        }
        buffer.putInt(WalRecord.FIXED_BODY_BYTES + data.length)
                .putInt((int) crc.getValue())
                .put(fixedBody.flip());
        if (buffer.remaining() >= data.length) {
            buffer.put(data);
        } else {
            // Larger than the whole buffer: write the header out, then the data straight from the entry.
            flushBuffer();
            writeFully(ByteBuffer.wrap(data));
        }
        segments.getLast().add(recordBytes);
        return recordBytes;
    }

    /**
     * Closes the full segment and starts the next. The full one is forced first, so only the last
     * segment can ever have a torn tail and damage anywhere else is real corruption.
     */
    private void rollOver(long nextIndex) throws IOException {
        flushBuffer();
        active.force(false);
        closeActive();
        startSegment(nextIndex);
    }

    private void startSegment(long firstIndex) throws IOException {
        var segment = new Segment(dir.resolve(Segment.fileName(firstIndex)), firstIndex);
        active = io.open(segment.path(), CREATE_NEW, READ, WRITE);
        activeWrittenBytes = 0;
        activeFileBytes = 0;
        segments.add(segment);
        dirDirty = true;
    }

    private void flushBuffer() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        writeFully(buffer.flip());
        buffer.clear();
    }

    private void writeFully(ByteBuffer source) throws IOException {
        preallocate(activeWrittenBytes + source.remaining());
        while (source.hasRemaining()) {
            activeWrittenBytes += active.write(source, activeWrittenBytes);
        }
    }

    /**
     * Fills the active segment with zeros from its file end to {@code preallocateBytes} past
     * {@code needed} (at most to the segment size), once {@code needed} would grow the file. The
     * zeros reach the disk with the next sync, so later syncs overwrite allocated blocks.
     */
    private void preallocate(long needed) throws IOException {
        if (options.preallocateBytes() == 0 || needed <= activeFileBytes) {
            return;
        }
        long target = Math.max(needed, Math.min(options.segmentBytes(), needed + options.preallocateBytes()));
        var zeros = ByteBuffer.allocate((int) Math.min(1 << 20, target - activeFileBytes));
        while (activeFileBytes < target) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), target - activeFileBytes));
            while (zeros.hasRemaining()) {
                activeFileBytes += active.write(zeros, activeFileBytes);
            }
        }
    }

    private void deleteDurably(Path file) throws IOException {
        io.delete(file);
        syncDirectory();
    }

    private void syncDirectory() throws IOException {
        io.syncDirectory(dir);
        dirDirty = false;
    }

    private void closeActive() throws IOException {
        if (active != null) {
            var channel = active;
            active = null;
            channel.close();
        }
    }

    private void closeChannelQuietly() {
        try {
            closeActive();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Closing WAL segment in " + dir + " failed", e);
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("WAL in " + dir + " is closed");
        }
        if (failure != null) {
            throw new IllegalStateException("WAL in " + dir + " failed earlier; reopen it to recover", failure);
        }
    }

    private IOException fail(IOException e) {
        failure = e;
        return e;
    }
}
