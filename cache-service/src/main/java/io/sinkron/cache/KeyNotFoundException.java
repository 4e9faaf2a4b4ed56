package io.sinkron.cache;

/** The key has no value. */
public final class KeyNotFoundException extends RuntimeException {

    private final String key;

    public KeyNotFoundException(String key) {
        super("key '" + key + "' not found");
        this.key = key;
    }

    public String key() {
        return key;
    }
}
