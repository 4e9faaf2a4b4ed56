package io.sinkron.cache;

/**
 * The home accepted a write, which is certain to take effect, but its completion was not observed
 * within the write timeout (the home was unreachable, or a holder's lease is longer than the
 * timeout allows for).
 */
public final class WriteNotConfirmedException extends RuntimeException {

    private final String key;
    private final long version;

    public WriteNotConfirmedException(String key, long version) {
        super("write " + version + " of key '" + key + "' was accepted and will take effect, but its completion"
                + " could not be confirmed in time");
        this.key = key;
        this.version = version;
    }

    public String key() {
        return key;
    }

    public long version() {
        return version;
    }
}
