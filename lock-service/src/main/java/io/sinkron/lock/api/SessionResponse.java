package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.LockSession;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

@Schema(description = "A lock-user session")
public record SessionResponse(
        @Schema(example = "session-42") @JsonProperty("session_id")
        String sessionId,

        @JsonProperty("client_id") String clientId,
        @Schema(example = "10000") long ttl,

        @Schema(description = "When the session ends unless kept alive, in the cluster's log time")
        @JsonProperty("expires_at")
        Instant expiresAt) {

    static SessionResponse of(LockSession session) {
        return new SessionResponse(
                session.getSessionId(),
                session.getOwner(),
                session.getTtlMs(),
                Instant.ofEpochMilli(session.getExpiresAtMillis()));
    }
}
