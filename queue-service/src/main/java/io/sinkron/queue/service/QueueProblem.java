package io.sinkron.queue.service;

import io.sinkron.proto.QueueStatus;

/** A queue operation the cluster (or this service) refused, and the kind of refusal. */
public final class QueueProblem extends RuntimeException {

    /** Why an operation was refused; each kind has its own problem type in the REST API. */
    public enum Kind {
        VALIDATION,
        PAYLOAD_TOO_LARGE,
        NOT_FOUND,
        STALE_RECEIPT,
        QUEUE_FULL,
        CONFLICT
    }

    private final Kind kind;

    public QueueProblem(Kind kind, String detail) {
        super(detail);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The refusal a state machine status stands for. */
    static QueueProblem of(QueueStatus status, String detail) {
        Kind kind = switch (status) {
            case QUEUE_STATUS_QUEUE_NOT_FOUND, QUEUE_STATUS_MESSAGE_NOT_FOUND -> Kind.NOT_FOUND;
            case QUEUE_STATUS_STALE_RECEIPT -> Kind.STALE_RECEIPT;
            case QUEUE_STATUS_QUEUE_FULL -> Kind.QUEUE_FULL;
            case QUEUE_STATUS_CONFLICT -> Kind.CONFLICT;
            case QUEUE_STATUS_INVALID, QUEUE_STATUS_OK, UNRECOGNIZED -> Kind.VALIDATION;
        };
        return new QueueProblem(kind, detail);
    }
}
