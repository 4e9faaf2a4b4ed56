package io.sinkron.bench;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * What one kind of benchmark client does over its own {@link HttpConnection}: one operation may
 * be several requests (a lock's acquire and release), and counts as one completed operation only
 * when every request got the answer it expects.
 */
interface HttpWorkload {

    /** One client's operation; its state (a lease, a receipt) is its own. */
    interface Operation {
        /** @return {@code true} when the operation succeeded, {@code false} for an error answer */
        boolean run(HttpConnection connection) throws IOException;
    }

    /**
     * Client {@code client}'s operation, after any setup it needs (an etcd lease) on
     * {@code connection}.
     */
    Operation client(int client, HttpConnection connection, SplittableRandom random) throws IOException;
}
