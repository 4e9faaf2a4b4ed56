package io.sinkron.bench;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * What one kind of Redis benchmark client does over its own {@link RespConnection}, the
 * counterpart of {@link HttpWorkload}: one operation counts as completed only when it got the
 * reply it expects.
 */
interface RespWorkload {

    /** One client's operation. */
    interface Operation {
        /** @return {@code true} when the operation succeeded, {@code false} for an unexpected reply */
        boolean run(RespConnection connection) throws IOException;
    }

    /** Client {@code client}'s operation, drawing from its own {@code random}. */
    Operation client(int client, SplittableRandom random);
}
