package io.sinkron.bench;

import java.util.concurrent.CompletableFuture;

/**
 * A replicated key-value store the load generator writes to. A put completes once the store
 * acknowledges it as committed, which for both targets means fsync'd on a majority.
 */
interface KvTarget extends AutoCloseable {

    CompletableFuture<?> put(byte[] key, byte[] value);

    @Override
    void close();
}
