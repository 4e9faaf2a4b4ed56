package io.sinkron.consensus.node;

import io.sinkron.consensus.raft.SnapshotMeta;
import java.nio.file.Path;

/** A snapshot file on disk and what it covers. */
public record SnapshotFile(SnapshotMeta meta, Path file, long sizeBytes) {}
