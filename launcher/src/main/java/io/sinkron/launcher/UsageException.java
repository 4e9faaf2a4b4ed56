package io.sinkron.launcher;

/** A command line or a machine that the local run cannot work with; the message says what to change. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
