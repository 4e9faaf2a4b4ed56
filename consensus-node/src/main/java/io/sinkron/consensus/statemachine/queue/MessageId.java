package io.sinkron.consensus.statemachine.queue;

/**
 * Message ids come from the log: message {@code i} of the enqueue command at log index {@code n} is
 * {@code "n-i"}. Every replica derives the same id, and no two messages of a Raft group share one.
 * Internally the pair is packed into one {@code long}, {@code n << 10 | i}.
 */
final class MessageId {

    private static final int POSITION_BITS = 10;

    /** Most messages one enqueue command may carry, so that {@code i} fits its bits. */
    static final int MAX_PER_COMMAND = 1 << POSITION_BITS;

    private static final long MAX_INDEX = 1L << (63 - POSITION_BITS);

    private MessageId() {}

    static long of(long index, int position) {
        if (index < 1 || index >= MAX_INDEX || position < 0 || position >= MAX_PER_COMMAND) {
            throw new IllegalArgumentException("no message id for index " + index + ", position " + position);
        }
        return index << POSITION_BITS | position;
    }

    static String format(long id) {
        return (id >>> POSITION_BITS) + "-" + (id & (MAX_PER_COMMAND - 1));
    }

    /** The packed id of {@code text}, or -1 if it is not an id of the form {@code n-i}. */
    static long parse(String text) {
        int dash = text.indexOf('-');
        // At most 16 digits of index and 4 of position keep the arithmetic below from overflowing.
        if (dash <= 0 || dash > 16 || dash == text.length() - 1 || text.length() - dash - 1 > 4) {
            return -1;
        }
        long index = digits(text, 0, dash);
        long position = digits(text, dash + 1, text.length());
        if (index < 1 || index >= MAX_INDEX || position < 0 || position >= MAX_PER_COMMAND) {
            return -1;
        }
        return index << POSITION_BITS | position;
    }

    private static long digits(String text, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
