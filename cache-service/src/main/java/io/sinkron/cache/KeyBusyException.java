package io.sinkron.cache;

/**
 * A write was not accepted because other writes of the key kept it busy (waiting for holders to
 * drop their lines) until the write timeout. Nothing was written.
 */
public final class KeyBusyException extends RuntimeException {

    private final String key;

    public KeyBusyException(String key, long pendingVersion) {
        super("key '" + key + "' is still busy with write " + pendingVersion + "; nothing was written, try again");
        this.key = key;
    }

    public String key() {
        return key;
    }
}
