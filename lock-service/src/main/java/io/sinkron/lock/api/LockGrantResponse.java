package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.LockGrant;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

@Schema(description = "A granted lock")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LockGrantResponse(
        @JsonProperty("lock_id") String lockId,
        @JsonProperty("lock_type") LockType lockType,
        @JsonProperty("client_id") String clientId,

        @Schema(
                description = "Log index of the grant: larger for every later conflicting grant of this lock."
                        + " Present it to the protected resource, which refuses older tokens.",
                example = "1042")
        @JsonProperty("fencing_token")
        long fencingToken,

        @Schema(description = "When the lease ends unless renewed, in the cluster's log time")
        @JsonProperty("expires_at")
        Instant expiresAt,

        @Schema(description = "How many times the owner holds it (reentrant acquisitions)", example = "1")
        @JsonProperty("hold_count")
        int holdCount,

        @Schema(description = "The session the lock is bound to, if any") @JsonProperty("session_id")
        String sessionId) {

    static LockGrantResponse of(LockGrant grant) {
        return new LockGrantResponse(
                grant.getLockId(),
                LockType.of(grant.getMode()),
                grant.getOwner(),
                grant.getFencingToken(),
                Instant.ofEpochMilli(grant.getExpiresAtMillis()),
                grant.getHoldCount(),
                grant.getSessionId().isEmpty() ? null : grant.getSessionId());
    }
}
