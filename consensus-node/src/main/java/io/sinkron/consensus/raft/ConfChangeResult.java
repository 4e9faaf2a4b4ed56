package io.sinkron.consensus.raft;

/** The outcome of proposing a membership change: the entry's index, or why it was refused. */
public record ConfChangeResult(long index, Refusal refusal) {

    static ConfChangeResult accepted(long index) {
        return new ConfChangeResult(index, null);
    }

    static ConfChangeResult refused(Refusal.Kind kind, String message) {
        return new ConfChangeResult(-1, Refusal.of(kind, message));
    }

    public boolean accepted() {
        return refusal == null;
    }

    /** The refusal's message, or null when accepted. */
    public String error() {
        return refusal == null ? null : refusal.message();
    }
}
