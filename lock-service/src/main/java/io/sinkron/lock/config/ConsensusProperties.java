package io.sinkron.lock.config;

import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the consensus cluster is. {@code consensus.nodes} binds the original design's
 * {@code CONSENSUS_NODES} environment variable.
 *
 * @param nodes comma-separated {@code host:port} gRPC addresses of consensus nodes
 * @param groupId the Raft group holding the lock table
 * @param deadline how long one replicated command may take, retries included
 */
@Validated
@ConfigurationProperties("consensus")
public record ConsensusProperties(
        @NotBlank String nodes,
        @DefaultValue("default") String groupId,
        @DefaultValue("5s") Duration deadline) {}
