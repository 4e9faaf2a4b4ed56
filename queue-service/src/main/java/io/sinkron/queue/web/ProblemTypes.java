package io.sinkron.queue.web;

import java.net.URI;

/** The stable {@code type} URIs of queue-service's problem details, one per kind of error. */
final class ProblemTypes {

    static final String BASE = "https://sinkron.io/problems/";

    static final URI VALIDATION = of("validation");
    static final URI PAYLOAD_TOO_LARGE = of("payload-too-large");
    static final URI NOT_FOUND = of("not-found");
    static final URI STALE_RECEIPT = of("stale-receipt");
    static final URI QUEUE_FULL = of("queue-full");
    static final URI CONFLICT = of("conflict");
    static final URI CONSENSUS_UNAVAILABLE = of("consensus-unavailable");
    static final URI INTERNAL = of("internal");

    private ProblemTypes() {}

    static URI of(String kind) {
        return URI.create(BASE + kind);
    }
}
