package io.sinkron.cache.near;

/**
 * MESI state of a near-cache line.
 *
 * <p>Sinkron's caches are write-through: every write is committed at the home (the consensus
 * cluster) before it returns, so no line is ever dirty and none is written back. MODIFIED keeps its
 * MESI meaning of "the only copy, produced by this cache's own write": the instance wrote the
 * committed value and nobody else holds it. EXCLUSIVE is the only copy, obtained by a read.
 * SHARED lines exist in other instances too. INVALID is a line this instance does not hold.
 */
public enum LineState {
    MODIFIED,
    EXCLUSIVE,
    SHARED,
    INVALID
}
