package io.sinkron.lock.service;

import java.net.URI;
import org.springframework.http.HttpStatus;

/** The error kinds of the lock API, each with a stable problem {@code type} URI (RFC 9457). */
public enum ProblemKind {
    LOCK_TIMEOUT("lock-timeout", HttpStatus.CONFLICT, "Lock not acquired in time"),
    DEADLOCK("deadlock", HttpStatus.CONFLICT, "Deadlock victim"),
    NOT_OWNER("not-owner", HttpStatus.CONFLICT, "Not the holder"),
    LEASE_EXPIRED("lease-expired", HttpStatus.CONFLICT, "Lease expired"),
    CANCELLED("cancelled", HttpStatus.CONFLICT, "Wait cancelled"),
    SESSION_NOT_FOUND("session-not-found", HttpStatus.NOT_FOUND, "No such session"),
    VALIDATION("validation", HttpStatus.BAD_REQUEST, "Invalid request"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    PAYLOAD_TOO_LARGE("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Payload too large"),
    UNAVAILABLE("unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Consensus cluster unavailable");

    public static final String BASE = "https://sinkron.io/problems/";

    private final URI type;
    private final HttpStatus status;
    private final String title;

    ProblemKind(String slug, HttpStatus status, String title) {
        this.type = URI.create(BASE + slug);
        this.status = status;
        this.title = title;
    }

    public URI type() {
        return type;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }
}
