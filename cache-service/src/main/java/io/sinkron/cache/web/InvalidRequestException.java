package io.sinkron.cache.web;

/** The request is malformed: a bad key, TTL, If-Match or body. */
public final class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
