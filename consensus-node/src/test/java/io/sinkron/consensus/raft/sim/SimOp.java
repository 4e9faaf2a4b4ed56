package io.sinkron.consensus.raft.sim;

/**
 * One client operation of a simulated history. {@code completedAt} is {@code Long.MAX_VALUE} for an
 * operation whose outcome the client never learned (it may or may not have taken effect).
 *
 * @param kind {@code put}, {@code cas} or {@code get}
 */
record SimOp(
        String process,
        String key,
        String kind,
        String value,
        String expected,
        String output,
        long invokedAt,
        long completedAt) {

    boolean completed() {
        return completedAt != Long.MAX_VALUE;
    }
}
