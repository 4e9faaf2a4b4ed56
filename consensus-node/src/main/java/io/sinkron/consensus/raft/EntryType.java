package io.sinkron.consensus.raft;

/** What an entry carries; the byte values are the storage and wire encoding. */
public enum EntryType {
    /** A client command for a state machine. */
    COMMAND(0),
    /** The empty entry a new leader appends to commit entries of earlier terms (Raft §5.4.2). */
    NOOP(1),
    /** A membership configuration; the newest one in the log is in force (dissertation §4.1). */
    CONFIG(2);

    private final int code;

    EntryType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static EntryType ofCode(int code) {
        return switch (code) {
            case 0 -> COMMAND;
            case 1 -> NOOP;
            case 2 -> CONFIG;
            default -> throw new IllegalArgumentException("unknown entry type " + code);
        };
    }
}
