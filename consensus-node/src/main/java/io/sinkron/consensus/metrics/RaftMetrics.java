package io.sinkron.consensus.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sinkron.consensus.failure.FailureListener;
import io.sinkron.consensus.failure.PeerStatus;
import io.sinkron.consensus.node.ConsensusNode;
import io.sinkron.consensus.node.DriverListener;
import io.sinkron.consensus.raft.Role;
import io.sinkron.consensus.raft.SoftState;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus metrics of a consensus node ({@code sinkron_raft_*}, {@code sinkron_failure_detector_*}).
 * Gauges read the status the driver publishes; counters and histograms are fed by the driver's
 * listener callbacks.
 */
public final class RaftMetrics implements DriverListener, FailureListener {

    private static final Logger log = LoggerFactory.getLogger(RaftMetrics.class);

    private final MeterRegistry registry;
    private final Counter leaderChanges;
    private final Counter committed;
    private final Counter failed;
    private final Timer append;
    private final Timer fsync;
    private final Counter entriesPersisted;
    private final Counter suspicions;
    private final Counter failures;
    private final Timer snapshotDuration;
    private final Timer snapshotPause;
    private final io.micrometer.core.instrument.DistributionSummary snapshotSize;
    private final Counter snapshotSentBytes;
    private final Counter snapshotInstalledBytes;
    private final Counter snapshotsInstalled;
    private final Counter membershipChanges;
    private io.micrometer.core.instrument.MultiGauge peerPhi;
    private io.micrometer.core.instrument.MultiGauge peerMatch;
    private java.util.Set<String> gaugedPeers = java.util.Set.of();

    public RaftMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.leaderChanges = Counter.builder("sinkron.raft.leader.changes")
                .description("Times this node saw the leader change")
                .register(registry);
        this.committed = Counter.builder("sinkron.raft.proposals.committed")
                .description("Commands proposed here and applied")
                .register(registry);
        this.failed = Counter.builder("sinkron.raft.proposals.failed")
                .description("Commands proposed here that timed out or lost leadership")
                .register(registry);
        this.append = Timer.builder("sinkron.raft.append")
                .description("Time to write a batch of entries to the WAL (before fsync)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry);
        this.fsync = Timer.builder("sinkron.raft.fsync")
                .description("Time of one WAL fsync (one per batch: group commit)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry);
        this.entriesPersisted = Counter.builder("sinkron.raft.entries.persisted")
                .description("Log entries written to the WAL")
                .register(registry);
        this.suspicions = Counter.builder("sinkron.failure.detector.suspicions")
                .description("Peers that became SUSPECTED")
                .register(registry);
        this.failures = Counter.builder("sinkron.failure.detector.failures")
                .description("Peers that became FAILED")
                .register(registry);
        this.snapshotDuration = Timer.builder("sinkron.raft.snapshot.duration")
                .description("Time to take a snapshot: serialize and write durably")
                .publishPercentileHistogram()
                .register(registry);
        this.snapshotPause = Timer.builder("sinkron.raft.snapshot.pause")
                .description("Time applying was paused to serialize the state machines")
                .publishPercentileHistogram()
                .register(registry);
        this.snapshotSize = io.micrometer.core.instrument.DistributionSummary.builder("sinkron.raft.snapshot.size")
                .baseUnit("bytes")
                .description("Size of snapshots taken")
                .register(registry);
        this.snapshotSentBytes = Counter.builder("sinkron.raft.snapshot.sent.bytes")
                .description("InstallSnapshot bytes shipped to followers and learners")
                .register(registry);
        this.snapshotInstalledBytes = Counter.builder("sinkron.raft.snapshot.installed.bytes")
                .description("Bytes of leader snapshots installed here")
                .register(registry);
        this.snapshotsInstalled = Counter.builder("sinkron.raft.snapshots.installed")
                .description("Leader snapshots installed here")
                .register(registry);
        this.membershipChanges = Counter.builder("sinkron.raft.membership.changes")
                .description("Configuration entries applied")
                .register(registry);
    }

    /** Registers the gauges that read the node's published state. */
    public void bind(ConsensusNode node) {
        var driver = node.driver();
        Gauge.builder("sinkron.raft.term", driver, d -> d.status().term())
                .description("Current Raft term")
                .register(registry);
        Gauge.builder("sinkron.raft.is.leader", driver, d -> d.status().isLeader() ? 1 : 0)
                .description("1 if this node is the leader")
                .register(registry);
        Gauge.builder("sinkron.raft.has.leader", driver, d -> d.status().leaderId() != null ? 1 : 0)
                .description("1 if this node knows a leader")
                .register(registry);
        Gauge.builder("sinkron.raft.commit.index", driver, d -> d.status().commitIndex())
                .register(registry);
        Gauge.builder("sinkron.raft.applied.index", driver, d -> d.status().appliedIndex())
                .register(registry);
        Gauge.builder("sinkron.raft.last.log.index", driver, d -> d.status().lastLogIndex())
                .register(registry);
        Gauge.builder("sinkron.raft.proposals.pending", driver, d -> d.pendingProposals())
                .description("Commands proposed here and not yet answered")
                .register(registry);
        FunctionCounter.builder("sinkron.raft.sent.bytes", node, ConsensusNode::bytesSent)
                .description("Bytes of peer messages sent")
                .register(registry);
        FunctionCounter.builder("sinkron.raft.received.bytes", node, ConsensusNode::bytesReceived)
                .description("Bytes of peer messages received")
                .register(registry);
        Gauge.builder("sinkron.raft.snapshot.index", driver, d -> d.status().snapshotIndex())
                .description("Index of the newest local snapshot")
                .register(registry);
        Gauge.builder(
                        "sinkron.raft.voters",
                        driver,
                        d -> d.status().membership().voters().size())
                .description("Voters in the configuration in force")
                .register(registry);
        Gauge.builder(
                        "sinkron.raft.learners",
                        driver,
                        d -> d.status().membership().learners().size())
                .description("Learners in the configuration in force")
                .register(registry);
        peerPhi = io.micrometer.core.instrument.MultiGauge.builder("sinkron.failure.detector.phi")
                .description("Phi-accrual suspicion level of a peer")
                .register(registry);
        peerMatch = io.micrometer.core.instrument.MultiGauge.builder("sinkron.raft.peer.match.index")
                .description("Highest log index known replicated on a peer (leader only)")
                .register(registry);
        refreshPeers(node);
    }

    /** Keeps the per-peer gauges in line with the configuration, which changes at run time. */
    public void refreshPeers(ConsensusNode node) {
        var peers = new java.util.TreeSet<>(node.driver().status().membership().members());
        peers.addAll(node.settings().clusterNodes().keySet());
        peers.remove(node.settings().nodeId());
        if (peers.equals(gaugedPeers)) {
            return;
        }
        gaugedPeers = java.util.Set.copyOf(peers);
        var driver = node.driver();
        peerPhi.register(
                peers.stream()
                        .map(peer -> io.micrometer.core.instrument.MultiGauge.Row.of(
                                io.micrometer.core.instrument.Tags.of("peer", peer),
                                node,
                                n -> n.failureDetector()
                                        .status(peer)
                                        .map(PeerStatus::phi)
                                        .orElse(Double.NaN)))
                        .toList(),
                true);
        peerMatch.register(
                peers.stream()
                        .map(peer -> io.micrometer.core.instrument.MultiGauge.Row.of(
                                io.micrometer.core.instrument.Tags.of("peer", peer), driver, d -> {
                                    Long m = d.status().matchIndexes().get(peer);
                                    return m == null ? Double.NaN : m;
                                }))
                        .toList(),
                true);
    }

    @Override
    public void onSnapshot(long bytes, long pauseNanos, long totalNanos) {
        snapshotSize.record(bytes);
        snapshotPause.record(pauseNanos, TimeUnit.NANOSECONDS);
        snapshotDuration.record(totalNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onSnapshotSent(long bytes) {
        snapshotSentBytes.increment(bytes);
    }

    @Override
    public void onSnapshotInstalled(long bytes) {
        snapshotsInstalled.increment();
        snapshotInstalledBytes.increment(bytes);
    }

    @Override
    public void onMembershipChange() {
        membershipChanges.increment();
    }

    @Override
    public void onSoftState(SoftState before, SoftState after) {
        if (!Objects.equals(before.leaderId(), after.leaderId()) && after.leaderId() != null) {
            leaderChanges.increment();
        }
        if (before.role() == Role.LEADER || after.role() == Role.LEADER) {
            log.info("leadership: {} -> {}", before, after);
        }
    }

    @Override
    public void onPersist(int entries, long appendNanos, long fsyncNanos) {
        entriesPersisted.increment(entries);
        append.record(appendNanos, TimeUnit.NANOSECONDS);
        fsync.record(fsyncNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onProposalCommitted() {
        committed.increment();
    }

    @Override
    public void onProposalFailed() {
        failed.increment();
    }

    @Override
    public void onSuspected(String peerId, double phi) {
        suspicions.increment();
        log.warn("peer {} suspected (phi {})", peerId, String.format("%.1f", phi));
    }

    @Override
    public void onFailed(String peerId, double phi) {
        failures.increment();
        log.warn("peer {} failed (phi {})", peerId, String.format("%.1f", phi));
    }

    @Override
    public void onRecovered(String peerId) {
        log.info("peer {} recovered", peerId);
    }
}
