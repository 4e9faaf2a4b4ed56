package io.sinkron.lock.api;

/** Example problem documents for the OpenAPI description, one per error kind. */
final class ProblemExamples {

    static final String PROBLEM_JSON = "application/problem+json";

    static final String LOCK_TIMEOUT = """
            {"type": "https://sinkron.io/problems/lock-timeout", "title": "Lock not acquired in time", \
            "status": 409, "detail": "lock orders-42 is not available", "instance": "/locks/orders-42"}""";

    static final String DEADLOCK = """
            {"type": "https://sinkron.io/problems/deadlock", "title": "Deadlock victim", "status": 409, \
            "detail": "waiting for orders-42 would deadlock", "instance": "/locks/orders-42", \
            "cycle": [{"client_id": "worker-17", "lock_id": "orders-42"}, \
            {"client_id": "worker-3", "lock_id": "invoices-7"}]}""";

    static final String NOT_OWNER = """
            {"type": "https://sinkron.io/problems/not-owner", "title": "Not the holder", "status": 409, \
            "detail": "worker-3 does not hold orders-42", "instance": "/locks/orders-42"}""";

    static final String LEASE_EXPIRED = """
            {"type": "https://sinkron.io/problems/lease-expired", "title": "Lease expired", "status": 409, \
            "detail": "the lease of worker-17 on orders-42 (fencing token 1042) expired and the lock was passed on", \
            "instance": "/locks/orders-42"}""";

    static final String CANCELLED = """
            {"type": "https://sinkron.io/problems/cancelled", "title": "Wait cancelled", "status": 409, \
            "detail": "the wait was cancelled: its session was closed", "instance": "/locks/orders-42"}""";

    static final String VALIDATION = """
            {"type": "https://sinkron.io/problems/validation", "title": "Invalid request", "status": 400, \
            "detail": "Invalid request content.", "instance": "/locks/orders-42", \
            "errors": [{"field": "lock_type", "message": "must not be null"}]}""";

    static final String SESSION_NOT_FOUND = """
            {"type": "https://sinkron.io/problems/session-not-found", "title": "No such session", "status": 404, \
            "detail": "no session session-42", "instance": "/sessions/session-42/keepalive"}""";

    static final String PAYLOAD_TOO_LARGE = """
            {"type": "https://sinkron.io/problems/payload-too-large", "title": "Payload too large", "status": 413, \
            "detail": "the request body exceeds the limit of 65536 bytes"}""";

    /** The 413 answer every POST may give: bodies over {@code sinkron.lock.max-request-size} are refused. */
    static final String PAYLOAD_TOO_LARGE_DESCRIPTION =
            "The request body is over the service's limit (`sinkron.lock.max-request-size`, 64 KB by default)";

    static final String UNAVAILABLE = """
            {"type": "https://sinkron.io/problems/unavailable", "title": "Consensus cluster unavailable", \
            "status": 503, "detail": "the consensus cluster did not answer in time; the outcome is unknown", \
            "instance": "/locks/orders-42"}""";

    private ProblemExamples() {}
}
