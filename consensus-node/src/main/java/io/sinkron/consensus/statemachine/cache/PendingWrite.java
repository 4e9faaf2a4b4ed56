package io.sinkron.consensus.statemachine.cache;

import com.google.protobuf.ByteString;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A write that has been accepted but not yet taken effect, because sessions that held the key must
 * first drop their lines. While it is pending the old value stays the committed one, so a holder
 * that has not yet heard of the write serves a value that is still current.
 *
 * @param version the log index of the write command, the value's version once it takes effect
 * @param writerSession the session that wrote, 0 for none (an instance without a session, or a
 *     TTL expiry); it holds the new value as MODIFIED once the write takes effect
 * @param writerEpoch the writer's epoch, kept by its MODIFIED registration
 * @param awaiting the sessions whose acknowledgement or lease expiry the write still waits for
 */
record PendingWrite(
        long version,
        long writerSession,
        long writerEpoch,
        boolean delete,
        ByteString value,
        long ttlMillis,
        SortedSet<Long> awaiting) {

    PendingWrite {
        awaiting = new TreeSet<>(awaiting);
    }
}
