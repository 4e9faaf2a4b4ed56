package io.sinkron.cache;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The cache-service's settings ({@code cache.*}), bound from the original design's environment
 * variables: {@code CONSENSUS_NODES}, {@code CACHE_INSTANCE_ID}, {@code CACHE_MAX_ENTRIES},
 * {@code CACHE_MAX_BYTES}, and the others by the same relaxed naming ({@code CACHE_LEASE}, ...).
 *
 * @param consensusNodes the consensus cluster, {@code host:port,host:port}
 * @param instanceId this instance's name in the directory; the host name if not set
 * @param maxEntries near-cache capacity in lines
 * @param maxBytes near-cache capacity in bytes of keys and values
 * @param maxValueBytes the largest value accepted (its JSON text, UTF-8); larger ones get 413
 * @param maxKeyLength the longest key accepted, in characters
 * @param lease how long the home waits for this instance's acknowledgement after its last keepalive
 * @param leaseMargin how much earlier than the home this instance stops serving from its near cache
 * @param keepAliveInterval how often the lease is renewed
 * @param requestTimeout how long one call to the cluster may take, retries included
 * @param writeTimeout how long a write may wait for holders to drop their lines
 * @param writeCommandsInFlight how many write commands may be on their way to the cluster at once;
 *     writes arriving meanwhile go together as the next command
 */
@ConfigurationProperties("cache")
public record CacheProperties(
        String consensusNodes,
        String instanceId,
        @DefaultValue("10000") int maxEntries,
        @DefaultValue("67108864") long maxBytes,
        @DefaultValue("1048576") int maxValueBytes,
        @DefaultValue("256") int maxKeyLength,
        @DefaultValue("10s") Duration lease,
        @DefaultValue("2s") Duration leaseMargin,
        @DefaultValue("2s") Duration keepAliveInterval,
        @DefaultValue("5s") Duration requestTimeout,
        @DefaultValue("30s") Duration writeTimeout,
        @DefaultValue("1") int writeCommandsInFlight) {

    public CacheProperties {
        if (consensusNodes == null || consensusNodes.isBlank()) {
            throw new IllegalArgumentException("cache.consensus-nodes (CONSENSUS_NODES) must name the consensus nodes");
        }
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = hostName();
        }
        requireAtLeast("cache.max-entries", maxEntries, 1);
        requireAtLeast("cache.max-bytes", maxBytes, 1);
        requireAtLeast("cache.max-value-bytes", maxValueBytes, 1);
        requireAtLeast("cache.max-key-length", maxKeyLength, 1);
        requireAtLeast("cache.write-commands-in-flight", writeCommandsInFlight, 1);
        requirePositive("cache.lease-margin", leaseMargin);
        requirePositive("cache.keep-alive-interval", keepAliveInterval);
        requirePositive("cache.request-timeout", requestTimeout);
        if (lease == null || lease.compareTo(leaseMargin) <= 0) {
            throw new IllegalArgumentException("cache.lease must be longer than cache.lease-margin");
        }
        if (lease.toMillis() > 3_600_000) {
            throw new IllegalArgumentException(
                    "cache.lease must be at most an hour: writes wait that long for an" + " unreachable instance");
        }
        if (keepAliveInterval.compareTo(lease.minus(leaseMargin)) >= 0) {
            throw new IllegalArgumentException(
                    "cache.keep-alive-interval must be shorter than cache.lease minus cache.lease-margin,"
                            + " or the lease runs out between renewals");
        }
        if (writeTimeout == null || writeTimeout.compareTo(lease) <= 0) {
            throw new IllegalArgumentException("cache.write-timeout must be longer than cache.lease: a write may wait"
                    + " a whole lease for an unreachable holder");
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String fromEnvironment = System.getenv("HOSTNAME");
            if (fromEnvironment == null || fromEnvironment.isBlank()) {
                throw new IllegalArgumentException(
                        "the host name is unknown; set cache.instance-id (CACHE_INSTANCE_ID)", e);
            }
            return fromEnvironment;
        }
    }

    private static void requireAtLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
