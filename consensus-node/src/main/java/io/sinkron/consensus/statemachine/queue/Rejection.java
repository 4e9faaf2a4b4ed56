package io.sinkron.consensus.statemachine.queue;

import io.sinkron.proto.QueueStatus;

/**
 * A command refused as a whole: it changed nothing and its result carries {@link #status()}.
 * Thrown before any state is touched, so every replica refuses it identically.
 */
final class Rejection extends RuntimeException {

    private final QueueStatus status;

    Rejection(QueueStatus status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    static Rejection invalid(String detail) {
        return new Rejection(QueueStatus.QUEUE_STATUS_INVALID, detail);
    }

    QueueStatus status() {
        return status;
    }
}
