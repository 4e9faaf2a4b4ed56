package io.sinkron.consensus.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a consensus node is configured with, resolved and validated.
 *
 * @param clusterNodes gRPC address of every member, this node included, by node id
 * @param bindHost the interface the gRPC server listens on
 * @param grpcPort the port the gRPC server listens on
 */
public record NodeSettings(
        String nodeId,
        Map<String, String> clusterNodes,
        String bindHost,
        int grpcPort,
        Path dataDir,
        int httpPort,
        long heartbeatMillis,
        long electionTimeoutMinMillis,
        long electionTimeoutMaxMillis,
        double phiThreshold,
        int failureDetectorWindow,
        int failureDetectorMinSamples,
        long sessionTtlMillis,
        long clockIntervalMillis,
        long snapshotEntries,
        long snapshotKeepEntries,
        boolean join) {

    /** The address other nodes use to reach this one. */
    public String selfAddress() {
        return clusterNodes.get(nodeId);
    }
}
