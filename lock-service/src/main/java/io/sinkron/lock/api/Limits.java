package io.sinkron.lock.api;

/** What the API accepts. */
final class Limits {

    /** Ids are short, and safe in a URL path segment and a header. */
    static final int MAX_ID_LENGTH = 128;

    /**
     * "." and ".." are dot segments: clients and proxies resolve them away (RFC 3986 5.2.4), so a
     * lock of that name could be created by some clients and never reached by others.
     */
    static final String ID_PATTERN = "^(?!\\.\\.?$)[A-Za-z0-9._:@~+=-]+$";

    static final String ID_MESSAGE = "must be 1-128 characters of A-Z a-z 0-9 . _ : @ ~ + = -, and not . or ..";

    /** Longest wait a request may ask for; an HTTP request held open longer helps nobody. */
    static final long MAX_TIMEOUT_MILLIS = 600_000;

    static final long MIN_TTL_MILLIS = 100;
    static final long MAX_TTL_MILLIS = 86_400_000;

    private Limits() {}
}
