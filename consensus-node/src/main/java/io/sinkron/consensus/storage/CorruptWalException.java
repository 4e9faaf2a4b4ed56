package io.sinkron.consensus.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The write-ahead log holds damage that cannot be explained by a crash during a write, such as a bad
 * record followed by good ones, a bad record in a segment that is not the last, or a gap between
 * indexes. Opening the log refuses to go on, because dropping the damaged part could silently lose
 * entries this node has already acknowledged.
 */
public final class CorruptWalException extends IOException {

    private final Path file;
    private final long offset;

    public CorruptWalException(Path file, long offset, String reason) {
        super("corrupt WAL segment " + file + " at offset " + offset + ": " + reason);
        this.file = file;
        this.offset = offset;
    }

    /** The segment file holding the damage. */
    public Path file() {
        return file;
    }

    /** Byte offset in {@link #file()} where the damaged record starts. */
    public long offset() {
        return offset;
    }
}
