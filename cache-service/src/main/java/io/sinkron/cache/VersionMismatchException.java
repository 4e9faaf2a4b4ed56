package io.sinkron.cache;

/** A conditional write's expected version is not the key's current one. */
public final class VersionMismatchException extends RuntimeException {

    private final String key;
    private final long currentVersion;

    public VersionMismatchException(String key, long currentVersion) {
        super(
                currentVersion == 0
                        ? "key '" + key + "' does not exist"
                        : "key '" + key + "' is at version " + currentVersion);
        this.key = key;
        this.currentVersion = currentVersion;
    }

    public String key() {
        return key;
    }

    /** The key's version, 0 if it does not exist. */
    public long currentVersion() {
        return currentVersion;
    }
}
