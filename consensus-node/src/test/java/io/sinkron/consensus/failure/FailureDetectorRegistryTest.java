package io.sinkron.consensus.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailureDetectorRegistryTest {

    private static final FailureDetectorConfig CONFIG = FailureDetectorConfig.defaults();

    private final AtomicLong clock = new AtomicLong(10_000);
    private final RecordingListener listener = new RecordingListener();
    private final FailureDetectorRegistry registry = new FailureDetectorRegistry(CONFIG, clock::get, listener);

    private record Event(String kind, String peerId, double phi, long atMillis) {
        String label() {
            return kind + ":" + peerId;
        }
    }

    private final class RecordingListener implements FailureListener {
        final List<Event> events = new CopyOnWriteArrayList<>();

        @Override
        public void onSuspected(String peerId, double phi) {
            events.add(new Event("suspected", peerId, phi, clock.get()));
        }

        @Override
        public void onFailed(String peerId, double phi) {
            events.add(new Event("failed", peerId, phi, clock.get()));
        }

        @Override
        public void onRecovered(String peerId) {
            events.add(new Event("recovered", peerId, Double.NaN, clock.get()));
        }

        List<String> labels() {
            return events.stream().map(Event::label).toList();
        }
    }

    /**
     * Advances the clock 10 ms at a time for {@code millis}; the listed peers heartbeat every 100 ms
     * and the registry is evaluated every tick.
     */
    private void run(long millis, String... heartbeating) {
        for (long t = 0; t < millis; t += 10) {
            clock.addAndGet(10);
            if (clock.get() % 100 == 0) {
                for (String peer : heartbeating) {
                    registry.heartbeat(peer);
                }
            }
            registry.evaluate();
        }
    }

    private PeerState state(String peerId) {
        return registry.status(peerId).orElseThrow().state();
    }

    @Test
    void steadyHeartbeatsKeepPeersAlive() {
        registry.addPeer("a");
        registry.addPeer("b");

        run(3_000, "a", "b");

        assertThat(listener.events).isEmpty();
        assertThat(registry.snapshot()).hasSize(2).allSatisfy(status -> {
            assertThat(status.state()).isEqualTo(PeerState.ALIVE);
            assertThat(status.phi()).isLessThan(1.0);
            assertThat(status.lastHeartbeatMillis()).hasValue(13_000);
        });
        assertThat(registry.snapshot()).extracting(PeerStatus::peerId).containsExactly("a", "b");
    }

    @Test
    void silentPeerIsSuspectedThenFailedExactlyOnceAtTheThresholds() {
        registry.addPeer("a");
        registry.addPeer("b");
        run(2_000, "a", "b");

        double previousPhi = 0;
        int seen = 0;
        for (int tick = 0; tick < 300; tick++) {
            clock.addAndGet(10);
            if (clock.get() % 100 == 0) {
                registry.heartbeat("b");
            }
            double phi = registry.status("a").orElseThrow().phi();
            assertThat(phi).isGreaterThanOrEqualTo(previousPhi);
            registry.evaluate();
            if (listener.events.size() > seen) {
                Event event = listener.events.getLast();
                double threshold = event.kind().equals("suspected") ? CONFIG.suspectThreshold() : CONFIG.phiThreshold();
                assertThat(event.phi()).isEqualTo(phi).isGreaterThanOrEqualTo(threshold);
                assertThat(previousPhi).isLessThan(threshold);
                seen = listener.events.size();
            }
            previousPhi = phi;
        }

        assertThat(listener.labels()).containsExactly("suspected:a", "failed:a");
        assertThat(state("a")).isEqualTo(PeerState.FAILED);
        assertThat(state("b")).isEqualTo(PeerState.ALIVE);
    }

    @Test
    void failedPeerRecoversOnceHeartbeatsResume() {
        registry.addPeer("a");
        run(2_000, "a");
        run(1_000);
        assertThat(listener.labels()).containsExactly("suspected:a", "failed:a");

        run(2_000, "a");

        assertThat(listener.labels()).containsExactly("suspected:a", "failed:a", "recovered:a");
        assertThat(state("a")).isEqualTo(PeerState.ALIVE);
    }

    @Test
    void suspectedPeerRecoversWithoutFailing() {
        registry.addPeer("a");
        run(2_000, "a");
        run(300);
        assertThat(state("a")).isEqualTo(PeerState.SUSPECTED);

        registry.heartbeat("a");
        run(1_000, "a");

        assertThat(listener.labels()).containsExactly("suspected:a", "recovered:a");
    }

    @Test
    void infrequentEvaluationReportsOnlyTheFailure() {
        registry.addPeer("a");
        run(2_000, "a");

        clock.addAndGet(1_000);
        registry.evaluate();

        assertThat(listener.labels()).containsExactly("failed:a");
    }

    @Test
    void failedPeerDoesNotFallBackToSuspected() {
        registry.addPeer("a");
        run(2_000, "a");
        clock.addAndGet(1_000);
        registry.evaluate();
        registry.heartbeat("a");

        // Phi is between the thresholds again, but a failed peer only leaves FAILED for ALIVE.
        clock.addAndGet(320);
        assertThat(CONFIG.classify(registry.status("a").orElseThrow().phi())).isEqualTo(PeerState.SUSPECTED);
        registry.evaluate();
        assertThat(state("a")).isEqualTo(PeerState.FAILED);

        registry.heartbeat("a");
        registry.evaluate();
        assertThat(listener.labels()).containsExactly("failed:a", "recovered:a");
    }

    @Test
    void peerNeverHeardFromIsNotJudgedUntilItIsHeardFromAndThenFallsSilent() {
        registry.addPeer("silent");

        run(10_000);

        assertThat(listener.events).isEmpty();
        PeerStatus status = registry.status("silent").orElseThrow();
        assertThat(status.state()).isEqualTo(PeerState.ALIVE);
        assertThat(status.phi()).isZero();
        assertThat(status.lastHeartbeatMillis()).isEmpty();

        registry.heartbeat("silent");
        run(1_000);

        assertThat(listener.labels()).containsExactly("suspected:silent", "failed:silent");
    }

    @Test
    void membershipChanges() {
        assertThat(registry.heartbeat("stranger")).isFalse();
        assertThat(registry.peers()).isEmpty();

        assertThat(registry.addPeer("a")).isTrue();
        assertThat(registry.addPeer("b")).isTrue();
        run(2_000, "a", "b");
        assertThat(registry.addPeer("a")).as("re-adding keeps history").isFalse();
        assertThat(registry.status("a").orElseThrow().lastHeartbeatMillis()).hasValue(12_000);

        assertThat(registry.removePeer("a")).isTrue();
        assertThat(registry.removePeer("a")).isFalse();
        assertThat(registry.heartbeat("a")).isFalse();
        run(1_000);

        assertThat(registry.peers()).containsExactly("b");
        assertThat(registry.status("a")).isEmpty();
        assertThat(listener.labels()).containsExactly("suspected:b", "failed:b");
    }

    @Test
    void throwingListenerDoesNotHideOtherTransitions() {
        List<String> reported = new ArrayList<>();
        var faulty = new FailureDetectorRegistry(CONFIG, clock::get, new FailureListener() {
            @Override
            public void onFailed(String peerId, double phi) {
                reported.add(peerId);
                throw new IllegalStateException("listener bug");
            }
        });
        faulty.addPeer("a");
        faulty.addPeer("b");
        faulty.heartbeat("a");
        faulty.heartbeat("b");

        clock.addAndGet(1_000);
        faulty.evaluate();
        faulty.evaluate();

        assertThat(reported).containsExactlyInAnyOrder("a", "b");
        assertThat(faulty.snapshot()).extracting(PeerStatus::state).containsOnly(PeerState.FAILED);
    }

    @Test
    void concurrentHeartbeatsAndEvaluationsReportConsistentTransitions() throws Exception {
        var ticking = new AtomicLong();
        Map<String, PeerState> reportedStates = new ConcurrentHashMap<>();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        var checking = new FailureDetectorRegistry(CONFIG, ticking::incrementAndGet, new FailureListener() {
            private void transition(String peerId, PeerState to, PeerState... allowedFrom) {
                PeerState from = reportedStates.getOrDefault(peerId, PeerState.ALIVE);
                if (!List.of(allowedFrom).contains(from)) {
                    violations.add(peerId + ": " + from + " -> " + to);
                }
                reportedStates.put(peerId, to);
            }

            @Override
            public void onSuspected(String peerId, double phi) {
                transition(peerId, PeerState.SUSPECTED, PeerState.ALIVE);
            }

            @Override
            public void onFailed(String peerId, double phi) {
                transition(peerId, PeerState.FAILED, PeerState.ALIVE, PeerState.SUSPECTED);
            }

            @Override
            public void onRecovered(String peerId) {
                transition(peerId, PeerState.ALIVE, PeerState.SUSPECTED, PeerState.FAILED);
            }
        });
        List<String> peers = List.of("p0", "p1", "p2", "p3");
        peers.forEach(checking::addPeer);

        ExecutorService executor = Executors.newFixedThreadPool(3);
        try {
            var start = new CountDownLatch(1);
            var done = new AtomicBoolean();
            List<Future<?>> senders = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                senders.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        checking.heartbeat(peers.get(i % peers.size()));
                    }
                    return null;
                }));
            }
            Future<?> evaluator = executor.submit(() -> {
                start.await();
                while (!done.get()) {
                    checking.evaluate();
                    checking.snapshot();
                }
                return null;
            });
            start.countDown();
            for (Future<?> sender : senders) {
                sender.get(30, TimeUnit.SECONDS);
            }
            done.set(true);
            evaluator.get(30, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }

        checking.evaluate();
        assertThat(violations).isEmpty();
        assertThat(checking.snapshot()).hasSize(4).allSatisfy(status -> {
            assertThat(status.state()).isEqualTo(reportedStates.getOrDefault(status.peerId(), PeerState.ALIVE));
            assertThat(status.lastHeartbeatMillis()).isPresent();
        });
    }
}
