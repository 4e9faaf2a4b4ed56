package io.sinkron.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Settings of a {@link ConsensusClient}.
 *
 * <p>Start from {@link #of(List)} or {@link #parse(String)}, which fill in the defaults below, and
 * adjust with the {@code with...} methods:
 *
 * <ul>
 *   <li>{@code groupId} {@value #DEFAULT_GROUP_ID};
 *   <li>{@code clientId} {@code null}: every {@link ConsensusClient} built from this configuration
 *       generates its own random id;
 *   <li>{@code defaultDeadline} 5 s: how long a call may take in total, retries included, when the
 *       caller gives no deadline;
 *   <li>{@code attemptTimeout} 2 s: the most one attempt against one node may take, so that a hung
 *       node cannot eat the whole deadline;
 *   <li>{@code backoffBase}..{@code backoffMax} 10 ms..500 ms: retry delays grow exponentially
 *       between these bounds with jitter drawn from {@code random};
 *   <li>{@code maxAttempts} 0: no limit, a call is bounded by its deadline only;
 *   <li>{@code nodeFailureThreshold} 2 and {@code nodeDownPeriod} 1 s: that many consecutive
 *       failures of a node mark it down for {@code nodeDownPeriod}, doubling (up to 16 times) while
 *       it keeps failing; see {@link ConsensusClient} for how nodes are chosen;
 *   <li>{@code keepAliveTime} 30 s: HTTP/2 keepalive ping interval on calls in flight; servers must
 *       permit pings this frequent ({@code permitKeepAliveTime}) or they close the connection;
 *   <li>{@code useTls} false, {@code trustCertificates} {@code null}: plaintext. With TLS, the
 *       server certificate is verified against the PEM file {@code trustCertificates}, or against
 *       the JDK's default trust store when it is {@code null}.
 * </ul>
 *
 * @param nodes the configured consensus nodes, at least one, no duplicates
 * @param groupId the Raft group every request addresses
 * @param clientId the exactly-once session id, or {@code null} to generate one per client. If set,
 *     it must be unique to a single {@link ConsensusClient} instance and never reused (not across
 *     restarts either): sequences restart at 1 with every client, and the cluster would answer a
 *     reused (client id, sequence) with the response of the earlier command.
 * @param random source of backoff jitter; it is used under a lock, so it need not be thread-safe
 */
public record ConsensusClientConfig(
        List<NodeAddress> nodes,
        String groupId,
        String clientId,
        Duration defaultDeadline,
        Duration attemptTimeout,
        Duration backoffBase,
        Duration backoffMax,
        int maxAttempts,
        int nodeFailureThreshold,
        Duration nodeDownPeriod,
        Duration keepAliveTime,
        boolean useTls,
        Path trustCertificates,
        RandomGenerator random) {

    public static final String DEFAULT_GROUP_ID = "default";

    public ConsensusClientConfig {
        Objects.requireNonNull(nodes, "nodes");
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("at least one node address is required");
        }
        nodes = List.copyOf(nodes);
        if (new LinkedHashSet<>(nodes).size() != nodes.size()) {
            throw new IllegalArgumentException("duplicate node address in " + nodes);
        }
        requireNonBlank(groupId, "groupId");
        if (clientId != null) {
            requireNonBlank(clientId, "clientId");
        }
        requirePositive(defaultDeadline, "defaultDeadline");
        requirePositive(attemptTimeout, "attemptTimeout");
        requirePositive(backoffBase, "backoffBase");
        requirePositive(backoffMax, "backoffMax");
        if (backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoffMax " + backoffMax + " is below backoffBase " + backoffBase);
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must be >= 0 (0 = unlimited), got " + maxAttempts);
        }
        if (nodeFailureThreshold < 1) {
            throw new IllegalArgumentException("nodeFailureThreshold must be >= 1, got " + nodeFailureThreshold);
        }
        requirePositive(nodeDownPeriod, "nodeDownPeriod");
        requirePositive(keepAliveTime, "keepAliveTime");
        if (!useTls && trustCertificates != null) {
            throw new IllegalArgumentException("trustCertificates is only meaningful with useTls");
        }
        Objects.requireNonNull(random, "random");
    }

    /** A configuration with the defaults listed in the class comment. */
    public static ConsensusClientConfig of(List<NodeAddress> nodes) {
        return new ConsensusClientConfig(
                nodes,
                DEFAULT_GROUP_ID,
                null,
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                Duration.ofMillis(10),
                Duration.ofMillis(500),
                0,
                2,
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                false,
                null,
                new Random());
    }

    /**
     * A default configuration for the comma-separated node list {@code "h1:p1,h2:p2"}.
     *
     * @throws IllegalArgumentException if the list is empty or an entry is not {@code host:port}
     */
    public static ConsensusClientConfig parse(String nodes) {
        return of(NodeAddress.parseList(nodes));
    }

    public ConsensusClientConfig withGroupId(String groupId) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                useTls,
                trustCertificates,
                random);
    }

    /** See the warning on {@code clientId} in the class comment. */
    public ConsensusClientConfig withClientId(String clientId) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                useTls,
                trustCertificates,
                random);
    }

    public ConsensusClientConfig withDefaultDeadline(Duration defaultDeadline) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                useTls,
                trustCertificates,
                random);
    }

    public ConsensusClientConfig withAttemptTimeout(Duration attemptTimeout) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                useTls,
                trustCertificates,
                random);
    }

    public ConsensusClientConfig withBackoff(Duration backoffBase, Duration backoffMax) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                useTls,
                trustCertificates,
                random);
    }

    /** {@code 0} means no limit: calls are bounded by their deadline only. */
    public ConsensusClientConfig withMaxAttempts(int maxAttempts) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                useTls,
                trustCertificates,
                random);
    }

    public ConsensusClientConfig withNodeHealth(int nodeFailureThreshold, Duration nodeDownPeriod) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                useTls,
                trustCertificates,
                random);
    }

    public ConsensusClientConfig withKeepAliveTime(Duration keepAliveTime) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                useTls,
                trustCertificates,
                random);
    }

    /**
     * Switches to TLS.
     *
     * @param trustCertificates PEM file of the certificates to trust, or {@code null} for the JDK's
     *     default trust store
     */
    public ConsensusClientConfig withTls(Path trustCertificates) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                true,
                trustCertificates,
                random);
    }

    public ConsensusClientConfig withRandom(RandomGenerator random) {
        return new ConsensusClientConfig(
                nodes,
                groupId,
                clientId,
                defaultDeadline,
                attemptTimeout,
                backoffBase,
                backoffMax,
                maxAttempts,
                nodeFailureThreshold,
                nodeDownPeriod,
                keepAliveTime,
                useTls,
                trustCertificates,
                random);
    }

    private static void requireNonBlank(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
