package io.sinkron.consensus.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * The file operations whose order decides durability. Storage goes through this seam, rather than
 * calling {@link java.nio.file.Files} directly, so tests can record the order of writes, forces and
 * directory syncs and simulate a power failure that loses whatever was not forced.
 */
interface FileIo {

    /** Opens {@code file} like {@link FileChannel#open(Path, OpenOption...)}. */
    FileChannel open(Path file, OpenOption... options) throws IOException;

    /** Removes the name {@code file}; not durable until the directory is synced. */
    void delete(Path file) throws IOException;

    /**
     * Atomically renames {@code source} to {@code target}, replacing {@code target}; not durable
     * until the directory is synced.
     */
    void atomicMove(Path source, Path target) throws IOException;

    /**
     * Forces the entries of {@code dir} (files created, renamed or deleted in it) to stable storage.
     * Forcing a file's data does not make its name durable; this does.
     */
    void syncDirectory(Path dir) throws IOException;

    /** The real file system. */
    static FileIo system() {
        return SystemFileIo.INSTANCE;
    }
}
