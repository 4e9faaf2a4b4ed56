package io.sinkron.bench;

import java.util.SplittableRandom;

/**
 * What one kind of Redis benchmark client does over its own keep-alive connection, the
 * counterpart of {@link HttpWorkload}: one operation counts as completed only when it got the
 * reply it expects.
 */
interface RespWorkload {

    /** Client {@code client}'s operation, drawing from its own {@code random}. */
    Operation<RespReplyParser> client(int client, SplittableRandom random);
}
