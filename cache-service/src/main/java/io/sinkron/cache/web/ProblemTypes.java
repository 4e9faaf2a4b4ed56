package io.sinkron.cache.web;

import java.net.URI;
import org.springframework.http.HttpStatusCode;

/** The stable {@code type} URIs of the cache-service's problem details (RFC 9457). */
public final class ProblemTypes {

    public static final URI NOT_FOUND = of("not-found");
    public static final URI VERSION_MISMATCH = of("version-mismatch");
    public static final URI VALIDATION = of("validation");
    public static final URI PAYLOAD_TOO_LARGE = of("payload-too-large");
    public static final URI METHOD_NOT_ALLOWED = of("method-not-allowed");
    public static final URI NOT_ACCEPTABLE = of("not-acceptable");
    public static final URI UNSUPPORTED_MEDIA_TYPE = of("unsupported-media-type");
    public static final URI UNAVAILABLE = of("unavailable");
    public static final URI WRITE_NOT_CONFIRMED = of("write-not-confirmed");
    public static final URI INTERNAL = of("internal");

    private ProblemTypes() {}

    /** The type of a problem Spring MVC raised itself, by its status; null for none of ours. */
    static URI forStatus(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> VALIDATION;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 412 -> VERSION_MISMATCH;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 503 -> UNAVAILABLE;
            default -> status.is5xxServerError() ? INTERNAL : null;
        };
    }

    private static URI of(String kind) {
        return URI.create("https://sinkron.io/problems/" + kind);
    }
}
