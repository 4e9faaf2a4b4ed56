package io.sinkron.consensus.failure;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the failure detector knows about one peer, for status pages and metrics.
 *
 * @param peerId the peer's node id
 * @param state the state as of the last {@link FailureDetectorRegistry#evaluate()}: the one
 *     listeners were told about, so it may lag {@code phi} by up to one evaluation
 * @param phi the suspicion level when the status was taken
 * @param lastHeartbeatMillis when the last heartbeat arrived, on the registry's clock; empty if
 *     none has since the peer was added
 */
public record PeerStatus(String peerId, PeerState state, double phi, OptionalLong lastHeartbeatMillis) {

    public PeerStatus {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastHeartbeatMillis, "lastHeartbeatMillis");
    }
}
