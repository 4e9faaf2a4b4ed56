package io.sinkron.consensus.config;

/** A configuration a node cannot start with; the message is the single line shown to the user. */
public final class InvalidConfigurationException extends RuntimeException {

    public InvalidConfigurationException(String message) {
        super(message);
    }
}
