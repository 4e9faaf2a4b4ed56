package io.sinkron.consensus.failure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phi-accrual failure detection for a set of peers, identified by node id.
 *
 * <p>Transport threads call {@link #heartbeat(String)} whenever a message from a peer arrives; a
 * scheduler calls {@link #evaluate()} periodically, which classifies every peer by its current phi
 * and reports transitions to the {@link FailureListener}. A peer starts {@link PeerState#ALIVE}
 * when added. States have hysteresis: a {@link PeerState#FAILED} peer stays failed until phi drops
 * below the suspect threshold, when it becomes {@link PeerState#ALIVE} again; it never goes back to
 * {@link PeerState#SUSPECTED}, so a flapping peer does not produce a stream of callbacks.
 *
 * <p>The clock is injected and must be monotonic (milliseconds, e.g. derived from {@link
 * System#nanoTime()}); it is read under the peer's lock, so concurrent heartbeats are recorded in
 * clock order. All methods are thread-safe.
 */
public final class FailureDetectorRegistry {

    private static final Logger log = LoggerFactory.getLogger(FailureDetectorRegistry.class);

    private final FailureDetectorConfig config;
    private final LongSupplier clockMillis;
    private final FailureListener listener;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    // Serializes evaluations and membership changes, so transitions are detected and reported in
    // order and never for a peer that has already been removed.
    private final Object membershipAndEvaluation = new Object();

    /**
     * @param config detector tuning shared by all peers
     * @param clockMillis monotonic clock in milliseconds
     * @param listener told about state transitions
     */
    public FailureDetectorRegistry(FailureDetectorConfig config, LongSupplier clockMillis, FailureListener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Starts monitoring {@code peerId}, as {@link PeerState#ALIVE}. It stays so until it has been
     * heard from at least once: a peer is never suspected on no evidence (see {@link
     * PhiAccrualFailureDetector}).
     *
     * @return false if the peer was already monitored (its history is kept)
     */
    public boolean addPeer(String peerId) {
        Objects.requireNonNull(peerId, "peerId");
        synchronized (membershipAndEvaluation) {
            if (peers.containsKey(peerId)) {
                return false;
            }
            peers.put(peerId, new Peer(new PhiAccrualFailureDetector(config, clockMillis.getAsLong())));
            return true;
        }
    }

    /**
     * Stops monitoring {@code peerId} and forgets its history; no callback is made for it afterwards.
     *
     * @return false if the peer was not monitored
     */
    public boolean removePeer(String peerId) {
        synchronized (membershipAndEvaluation) {
            return peers.remove(peerId) != null;
        }
    }

    /** The monitored peers. */
    public Set<String> peers() {
        return Set.copyOf(peers.keySet());
    }

    /**
     * Records a heartbeat from {@code peerId} at the current time. Heartbeats from peers that are
     * not monitored are ignored, so a removed node that still sends messages is not re-added.
     *
     * @return whether the peer is monitored
     */
    public boolean heartbeat(String peerId) {
        Peer peer = peers.get(peerId);
        if (peer == null) {
            return false;
        }
        synchronized (peer) {
            peer.detector.heartbeat(clockMillis.getAsLong());
        }
        return true;
    }

    /**
     * Classifies every peer by its phi at the current time and calls the listener once for each
     * state transition, on this thread, before returning. A listener that throws is logged and does
     * not prevent other transitions from being reported.
     */
    public void evaluate() {
        synchronized (membershipAndEvaluation) {
            List<Transition> transitions = new ArrayList<>();
            peers.forEach((peerId, peer) -> {
                synchronized (peer) {
                    double phi = peer.detector.phi(clockMillis.getAsLong());
                    PeerState next = next(peer.state, config.classify(phi));
                    if (next != peer.state) {
                        peer.state = next;
                        transitions.add(new Transition(peerId, next, phi));
                    }
                }
            });
            // Reported after all peers' locks are released, so a slow listener never delays heartbeats.
            transitions.forEach(this::report);
        }
    }

    private static PeerState next(PeerState current, PeerState classified) {
        return current == PeerState.FAILED && classified == PeerState.SUSPECTED ? PeerState.FAILED : classified;
    }

    private void report(Transition transition) {
        try {
            switch (transition.to) {
                case ALIVE -> listener.onRecovered(transition.peerId);
                case SUSPECTED -> listener.onSuspected(transition.peerId, transition.phi);
                case FAILED -> listener.onFailed(transition.peerId, transition.phi);
            }
        } catch (RuntimeException e) {
            log.warn("Failure listener threw on {} becoming {}", transition.peerId, transition.to, e);
        }
    }

    /** The status of every monitored peer, ordered by peer id. */
    public List<PeerStatus> snapshot() {
        List<PeerStatus> statuses = new ArrayList<>();
        peers.forEach((peerId, peer) -> statuses.add(status(peerId, peer)));
        statuses.sort(Comparator.comparing(PeerStatus::peerId));
        return List.copyOf(statuses);
    }

    /** The status of {@code peerId}, or empty if it is not monitored. */
    public Optional<PeerStatus> status(String peerId) {
        Peer peer = peers.get(peerId);
        return peer == null ? Optional.empty() : Optional.of(status(peerId, peer));
    }

    private PeerStatus status(String peerId, Peer peer) {
        synchronized (peer) {
            return new PeerStatus(
                    peerId,
                    peer.state,
                    peer.detector.phi(clockMillis.getAsLong()),
                    peer.detector.lastHeartbeatMillis());
        }
    }

    /** Mutable per-peer record; every access holds its monitor. */
    private static final class Peer {
        final PhiAccrualFailureDetector detector;
        PeerState state = PeerState.ALIVE;

        Peer(PhiAccrualFailureDetector detector) {
            this.detector = detector;
        }
    }

    private record Transition(String peerId, PeerState to, double phi) {}
}
