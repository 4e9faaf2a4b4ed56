package io.sinkron.bench;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * What one kind of benchmark client does over its own keep-alive HTTP/1.1 connection: one
 * operation may be several requests (a lock's acquire and release), and counts as one completed
 * operation only when every request got the answer it expects.
 */
interface HttpWorkload {

    /**
     * Client {@code client}'s operation, after any setup it needs (an etcd lease), done over the
     * blocking {@code setup} connection before the load starts.
     *
     * @param authority {@code host:port} of the client's target, for the {@code Host} header
     */
    Operation<HttpResponseParser> client(int client, String authority, SplittableRandom random, HttpConnection setup)
            throws IOException;

    /** An operation of one fixed request that expects {@code status}. */
    static Operation<HttpResponseParser> single(byte[] request, int status) {
        return Operation.single(request, answer -> answer.status() == status);
    }
}
