package io.sinkron.consensus.node;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sinkron.consensus.api.AdminService;
import io.sinkron.consensus.api.ConsensusGrpcService;
import io.sinkron.consensus.api.EagerHeaders;
import io.sinkron.consensus.api.LeaderForwarder;
import io.sinkron.consensus.config.NodeSettings;
import io.sinkron.consensus.failure.FailureDetectorConfig;
import io.sinkron.consensus.failure.FailureDetectorRegistry;
import io.sinkron.consensus.failure.FailureListener;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.Message;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.storage.WalOptions;
import io.sinkron.consensus.storage.WalRaftStorage;
import io.sinkron.consensus.transport.GrpcPeerTransport;
import io.sinkron.consensus.transport.InboundMessages;
import io.sinkron.consensus.transport.RaftPeerService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consensus node: its Raft group's driver with storage and state machines, the peer
 * transport, the failure detector and the gRPC server. Layers point one way: the gRPC services
 * call the driver; the driver calls the transport through {@link PeerTransport}; the transport's
 * inbound side hands messages back through {@link InboundMessages}.
 */
public final class ConsensusNode implements AutoCloseable {

    public static final String DEFAULT_GROUP = "default";
    /** The driver's clock resolution; Raft timeouts are whole numbers of ticks. */
    static final long TICK_MILLIS = 10;

    private static final Logger log = LoggerFactory.getLogger(ConsensusNode.class);

    private final NodeSettings settings;
    private final RaftDriver driver;
    private final GrpcPeerTransport transport;
    private final RaftPeerService peerService;
    private final FailureDetectorRegistry failureDetector;
    private final EventBus events = new EventBus();
    private final LeaderForwarder forwarder = new LeaderForwarder();
    private final AdminService admin;
    private final java.util.function.Consumer<ConsensusNode> memberListener;
    private final ScheduledExecutorService scheduler;
    private final Server server;

    public ConsensusNode(NodeSettings settings, DriverListener listener, FailureListener failureListener)
            throws IOException {
        this(settings, listener, failureListener, node -> {});
    }

    /**
     * @param memberListener told (on the failure detector's thread) after each membership check,
     *     so per-peer metrics can follow the configuration
     */
    public ConsensusNode(
            NodeSettings settings,
            DriverListener listener,
            FailureListener failureListener,
            java.util.function.Consumer<ConsensusNode> memberListener)
            throws IOException {
        this.settings = settings;
        this.memberListener = memberListener;
        var storage = WalRaftStorage.open(settings.dataDir().resolve(DEFAULT_GROUP), WalOptions.DEFAULTS);
        Membership bootstrap = settings.join() ? Membership.EMPTY : new Membership(settings.clusterNodes(), Map.of());
        var raftConfig = new RaftConfig(
                settings.nodeId(),
                ticks(settings.heartbeatMillis()),
                ticks(settings.electionTimeoutMinMillis()),
                ticks(settings.electionTimeoutMaxMillis()),
                true,
                true,
                256,
                32L << 20,
                1L << 20);
        this.transport = new GrpcPeerTransport(settings.nodeId(), settings.clusterNodes());
        this.driver = new RaftDriver(
                new RaftDriver.Settings(
                        DEFAULT_GROUP,
                        raftConfig,
                        Duration.ofMillis(TICK_MILLIS),
                        Duration.ofSeconds(5),
                        Duration.ofMillis(settings.clockIntervalMillis()),
                        new RaftDriver.SnapshotPolicy(
                                settings.snapshotEntries(), 256L << 20, settings.snapshotKeepEntries())),
                storage,
                bootstrap,
                StateMachines.create(settings.sessionTtlMillis())
                        .keepSnapshotBaseIn(
                                settings.dataDir().resolve(DEFAULT_GROUP).resolve("snapshot-base")),
                transport,
                Clock.systemUTC(),
                new SecureRandom(),
                events,
                listener);
        var fdConfig = new FailureDetectorConfig(
                settings.phiThreshold(),
                settings.phiThreshold() / 2,
                settings.failureDetectorWindow(),
                settings.failureDetectorMinSamples(),
                FailureDetectorConfig.DEFAULT_MIN_STD_DEVIATION_MILLIS,
                FailureDetectorConfig.DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE_MILLIS,
                settings.heartbeatMillis());
        this.failureDetector = new FailureDetectorRegistry(
                fdConfig,
                // Monotonic, as the registry requires: a wall clock stepped back would make a heartbeat
                // look earlier than the previous one.
                () -> System.nanoTime() / 1_000_000,
                failureListener);
        settings.clusterNodes().keySet().stream()
                .filter(id -> !id.equals(settings.nodeId()))
                .forEach(failureDetector::addPeer);
        this.peerService = new RaftPeerService(new InboundMessages() {
            @Override
            public void deliver(String groupId, Message message) {
                if (DEFAULT_GROUP.equals(groupId)) {
                    driver.receive(message);
                }
            }

            @Override
            public void deliverSnapshot(String groupId, Message.SnapshotRequest message, java.nio.file.Path file) {
                if (DEFAULT_GROUP.equals(groupId)) {
                    driver.receiveSnapshot(message, file);
                }
            }

            @Override
            public java.nio.file.Path snapshotStaging(String groupId) {
                return DEFAULT_GROUP.equals(groupId) ? driver.incomingSnapshots() : null;
            }

            @Override
            public void heard(String peerId) {
                failureDetector.heartbeat(peerId);
            }
        });
        this.admin = new AdminService(driver, forwarder);
        var clientService = new ConsensusGrpcService(driver, forwarder, admin, events, failureDetector);
        // Handlers never block: they enqueue into the driver, forward asynchronously, or hand disk
        // work to a thread of their own (snapshot receiving), so they run on the event loop and a
        // request costs no hop to an executor thread and back.
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(settings.bindHost(), settings.grpcPort()))
                .directExecutor()
                .addService(peerService)
                .addService(ServerInterceptors.intercept(clientService, new EagerHeaders()))
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxInboundMessageSize(64 << 20)
                .build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("failure-detector").daemon(true).factory());
    }

    /**
     * JOIN=true: until this node is in the configuration, ask the members listed in CLUSTER_NODES
     * to add it (as a learner promoted once caught up). It never campaigns on its own meanwhile:
     * its bootstrap configuration is empty.
     */
    private void askToJoin() {
        if (driver.status().membership().contains(settings.nodeId())) {
            log.info("{} is a member; join complete", settings.nodeId());
            return;
        }
        var request = io.sinkron.proto.MembershipChangeRequest.newBuilder()
                .setAdd(io.sinkron.proto.AddMember.newBuilder()
                        .setNodeId(settings.nodeId())
                        .setAddress(settings.selfAddress())
                        .setVoter(true))
                .build();
        for (var member : settings.clusterNodes().entrySet()) {
            if (member.getKey().equals(settings.nodeId())) {
                continue;
            }
            try {
                var response = forwarder
                        .changeMembership(member.getValue(), request, 10_000)
                        .get(15, TimeUnit.SECONDS);
                log.info(
                        "asked {} to add {}: {} {}",
                        member.getKey(),
                        settings.nodeId(),
                        response.getCode(),
                        response.getMessage());
                if (response.getCode() == io.sinkron.proto.AdminCode.ADMIN_CODE_OK
                        || response.getCode() == io.sinkron.proto.AdminCode.ADMIN_CODE_CONFLICT) {
                    break;
                }
            } catch (Exception e) {
                log.debug("join request to {} failed: {}", member.getKey(), e.toString());
            }
        }
        scheduler.schedule(this::askToJoin, 2, TimeUnit.SECONDS);
    }

    /** The failure detector watches every member of the configuration in force. */
    private void trackMembers() {
        var members = new java.util.HashSet<>(driver.status().membership().members());
        members.remove(settings.nodeId());
        if (members.isEmpty()) {
            return;
        }
        for (String peer : members) {
            failureDetector.addPeer(peer);
        }
        for (String peer : failureDetector.peers()) {
            if (!members.contains(peer)) {
                failureDetector.removePeer(peer);
            }
        }
        memberListener.accept(this);
    }

    private static int ticks(long millis) {
        return (int) Math.max(1, millis / TICK_MILLIS);
    }

    public void start() throws IOException {
        server.start();
        driver.start();
        scheduler.scheduleAtFixedRate(
                () -> {
                    try {
                        transport.pingAll(DEFAULT_GROUP);
                        trackMembers();
                        failureDetector.evaluate();
                    } catch (RuntimeException e) {
                        log.warn("failure detector round failed", e);
                    }
                },
                settings.heartbeatMillis(),
                settings.heartbeatMillis(),
                TimeUnit.MILLISECONDS);
        if (settings.join()) {
            scheduler.execute(this::askToJoin);
        }
        log.info(
                "consensus node {} serving gRPC on {}:{} (members {}, data in {})",
                settings.nodeId(),
                settings.bindHost(),
                server.getPort(),
                settings.clusterNodes(),
                settings.dataDir().toAbsolutePath());
    }

    public AdminService admin() {
        return admin;
    }

    public NodeSettings settings() {
        return settings;
    }

    public RaftDriver driver() {
        return driver;
    }

    public FailureDetectorRegistry failureDetector() {
        return failureDetector;
    }

    public EventBus events() {
        return events;
    }

    public long bytesSent() {
        return transport.bytesSent();
    }

    public long bytesReceived() {
        return peerService.bytesReceived();
    }

    public int grpcPort() {
        return server.getPort();
    }

    @Override
    public void close() throws Exception {
        scheduler.shutdownNow();
        server.shutdown();
        driver.close();
        transport.close();
        forwarder.close();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
