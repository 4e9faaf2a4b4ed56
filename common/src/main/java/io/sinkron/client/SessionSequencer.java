package io.sinkron.client;

import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sequence numbers of a client's exactly-once session.
 *
 * <p>{@link #next()} hands out 1, 2, 3, ... A sequence is <em>finished</em> once its call has ended
 * for good: a response arrived, or the client gave up on it (deadline, session expiry, close) and
 * will never ask about it again. {@link #ackedSequence()} is the highest {@code S} such that every
 * sequence up to and including {@code S} is finished, that is, the contiguous finished prefix: the
 * cluster may then forget the responses up to {@code S}. Counting abandoned sequences as finished
 * keeps one lost call from pinning every cached response of the session forever.
 *
 * <p>Thread-safe.
 */
final class SessionSequencer {

    private final AtomicLong lastIssued = new AtomicLong();
    private final PriorityQueue<Long> finishedAhead = new PriorityQueue<>();
    private volatile long acked;

    long next() {
        return lastIssued.incrementAndGet();
    }

    /** Marks {@code sequence} finished and advances the acknowledged prefix over it if it can. */
    synchronized void finish(long sequence) {
        if (sequence <= acked) {
            return;
        }
        if (sequence == acked + 1 && finishedAhead.isEmpty()) {
            // Calls mostly end in the order they started: nothing to queue.
            acked = sequence;
            return;
        }
        finishedAhead.add(sequence);
        long prefix = acked;
        while (!finishedAhead.isEmpty() && finishedAhead.peek() == prefix + 1) {
            prefix = finishedAhead.poll();
        }
        acked = prefix;
    }

    long ackedSequence() {
        return acked;
    }
}
