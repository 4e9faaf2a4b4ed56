package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.LockDeadlock;
import io.sinkron.proto.LockDeadlocks;
import io.sinkron.proto.LockWaitEdge;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

@Schema(description = "Deadlocks the cluster found and broke, most recent last")
public record DeadlocksResponse(
        @Schema(description = "Deadlocks found since the lock table began") @JsonProperty("total_detected")
        long totalDetected,

        @Schema(description = "The most recent ones (at most 100)")
        List<Deadlock> deadlocks) {

    public record Deadlock(
            @JsonProperty("detected_at") Instant detectedAt,

            @Schema(description = "Log index of the entry that found it") @JsonProperty("log_index")
            long logIndex,

            @Schema(description = "Each owner waits for the lock named beside it, held or awaited by the next")
            List<WaitEdge> cycle,

            @Schema(description = "The youngest waiting request of the cycle, aborted")
            WaitEdge victim) {}

    public record WaitEdge(
            @JsonProperty("client_id") String clientId,
            @JsonProperty("lock_id") String lockId) {

        static WaitEdge of(LockWaitEdge edge) {
            return new WaitEdge(edge.getOwner(), edge.getLockId());
        }
    }

    static DeadlocksResponse of(LockDeadlocks deadlocks) {
        return new DeadlocksResponse(
                deadlocks.getTotalDetected(),
                deadlocks.getDeadlocksList().stream()
                        .map(DeadlocksResponse::deadlock)
                        .toList());
    }

    private static Deadlock deadlock(LockDeadlock d) {
        return new Deadlock(
                Instant.ofEpochMilli(d.getDetectedAtMillis()),
                d.getIndex(),
                d.getCycleList().stream().map(WaitEdge::of).toList(),
                WaitEdge.of(d.getVictim()));
    }
}
