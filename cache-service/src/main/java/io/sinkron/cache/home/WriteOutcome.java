package io.sinkron.cache.home;

import java.util.List;

/** What the home did with a write. */
public sealed interface WriteOutcome {

    /** Committed at once as {@code version}: no other session held the key. */
    record Applied(long version) implements WriteOutcome {}

    /**
     * Accepted as {@code version}, certain to take effect once the {@code awaiting} sessions have
     * dropped their lines or lost their leases.
     */
    record Pending(long version, List<Long> awaiting) implements WriteOutcome {
        public Pending {
            awaiting = List.copyOf(awaiting);
        }
    }

    /** The precondition failed; {@code current} is the key's version, 0 if absent. */
    record VersionMismatch(long current) implements WriteOutcome {}

    /** A delete of an absent key. */
    record NotFound() implements WriteOutcome {}

    /** Write {@code pendingVersion} of the key is still pending; retry once it has taken effect. */
    record Busy(long pendingVersion) implements WriteOutcome {}
}
