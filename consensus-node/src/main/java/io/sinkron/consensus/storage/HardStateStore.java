package io.sinkron.consensus.storage;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import io.sinkron.consensus.raft.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Keeps the node's {@link HardState} (term, vote, commit hint) in a single file, {@code hardstate},
 * replaced atomically on every change.
 *
 * <p>File layout, big-endian: {@code [magic int][crc32c int][length int][payload]} where the payload
 * is {@code [term long][commit long][votedFor length int, -1 for none][votedFor UTF-8]} and the CRC
 * covers the payload.
 *
 * <p>Not thread-safe: one writer (the Raft driver thread) uses it.
 */
public final class HardStateStore {

    static final String FILE_NAME = "hardstate";
    static final String TEMP_FILE_NAME = "hardstate.tmp";

    private static final int MAGIC = 0x534b4853; // "SKHS"
    private static final int HEADER_BYTES = 12;
    private static final int FIXED_PAYLOAD_BYTES = 20;

    private final Path dir;
    private final Path file;
    private final Path tempFile;
    private final FileIo io;
    private HardState current;

    private HardStateStore(Path dir, FileIo io, HardState current) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        this.tempFile = dir.resolve(TEMP_FILE_NAME);
        this.io = io;
        this.current = current;
    }

    /**
     * Opens the store in {@code dir}, creating the directory if needed, and reads the saved state.
     *
     * @throws IOException if the saved state is damaged; the message names the file and what is wrong
     */
    public static HardStateStore open(Path dir) throws IOException {
        return open(dir, FileIo.system());
    }

    static HardStateStore open(Path dir, FileIo io) throws IOException {
        Files.createDirectories(dir);
        var file = dir.resolve(FILE_NAME);
        var state = Files.exists(file) ? decode(file, Files.readAllBytes(file)) : HardState.EMPTY;
        return new HardStateStore(dir, io, state);
    }

    /** The last saved state, or {@link HardState#EMPTY} if none was ever saved. */
    public HardState load() {
        return current;
    }

    /**
     * Saves {@code state}. When this method returns, it is durable: it is written to a temporary file
     * that is forced, renamed over {@code hardstate}, and the directory is synced. Does nothing if
     * {@code state} equals the last saved one.
     */
    public void save(HardState state) throws IOException {
        Objects.requireNonNull(state, "state");
        if (state.equals(current)) {
            return;
        }
        var bytes = encode(state);
        try (var channel = io.open(tempFile, CREATE, TRUNCATE_EXISTING, WRITE)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            // Before the rename: otherwise a crash could leave the new name pointing at empty data.
            channel.force(false);
        }
        io.atomicMove(tempFile, file);
        // The rename itself is only durable once the directory entry is.
        io.syncDirectory(dir);
        current = state;
    }

    private static ByteBuffer encode(HardState state) {
        byte[] vote = state.votedFor() == null ? null : state.votedFor().getBytes(StandardCharsets.UTF_8);
        int payloadBytes = FIXED_PAYLOAD_BYTES + (vote == null ? 0 : vote.length);
        var buffer = ByteBuffer.allocate(HEADER_BYTES + payloadBytes);
        buffer.position(HEADER_BYTES).putLong(state.term()).putLong(state.commit());
        if (vote == null) {
            buffer.putInt(-1);
        } else {
            buffer.putInt(vote.length).put(vote);
        }
        var crc = new CRC32C();
        crc.update(buffer.array(), HEADER_BYTES, payloadBytes);
        return buffer.putInt(0, MAGIC)
                .putInt(4, (int) crc.getValue())
                .putInt(8, payloadBytes)
                .clear();
    }

    private static HardState decode(Path file, byte[] bytes) throws IOException {
        if (bytes.length < HEADER_BYTES + FIXED_PAYLOAD_BYTES) {
            throw corrupt(file, "only " + bytes.length + " bytes");
        }
        var buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(0) != MAGIC) {
            throw corrupt(file, "bad magic number");
        }
        int payloadBytes = buffer.getInt(8);
        if (payloadBytes != bytes.length - HEADER_BYTES) {
            throw corrupt(
                    file,
                    "payload length " + payloadBytes + " but " + (bytes.length - HEADER_BYTES)
                            + " bytes follow the header");
        }
        var crc = new CRC32C();
        crc.update(bytes, HEADER_BYTES, payloadBytes);
        if ((int) crc.getValue() != buffer.getInt(4)) {
            throw corrupt(file, "CRC mismatch");
        }
        long term = buffer.getLong(HEADER_BYTES);
        long commit = buffer.getLong(HEADER_BYTES + 8);
        int voteBytes = buffer.getInt(HEADER_BYTES + 16);
        int voteOffset = HEADER_BYTES + FIXED_PAYLOAD_BYTES;
        if (voteBytes == -1 && bytes.length == voteOffset) {
            return new HardState(term, null, commit);
        }
        if (voteBytes < 0 || voteBytes != bytes.length - voteOffset) {
            throw corrupt(file, "votedFor length " + voteBytes + " does not match the file size");
        }
        return new HardState(term, new String(bytes, voteOffset, voteBytes, StandardCharsets.UTF_8), commit);
    }

    private static IOException corrupt(Path file, String reason) {
        return new IOException("corrupt hard state file " + file + ": " + reason);
    }
}
