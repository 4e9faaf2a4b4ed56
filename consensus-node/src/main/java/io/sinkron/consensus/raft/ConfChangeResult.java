package io.sinkron.consensus.raft;

/** The outcome of proposing a membership change: the entry's index, or why it was refused. */
public record ConfChangeResult(long index, String error) {

    static ConfChangeResult accepted(long index) {
        return new ConfChangeResult(index, null);
    }

    static ConfChangeResult refused(String error) {
        return new ConfChangeResult(-1, error);
    }

    public boolean accepted() {
        return error == null;
    }
}
