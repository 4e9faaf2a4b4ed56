package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.LockHolder;
import io.sinkron.proto.LockMode;
import io.sinkron.proto.LockStateView;
import io.sinkron.proto.LockWaiter;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

@Schema(description = "Who holds a lock and who waits for it")
public record LockStateResponse(
        @JsonProperty("lock_id") String lockId,

        @Schema(allowableValues = {"unlocked", "shared", "exclusive"})
        String mode,

        List<Holder> holders,

        @Schema(description = "In the order they will be granted")
        List<Waiter> waiters) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Holder(
            @JsonProperty("client_id") String clientId,
            @JsonProperty("lock_type") LockType lockType,
            @JsonProperty("fencing_token") long fencingToken,
            Instant since,
            @JsonProperty("expires_at") Instant expiresAt,
            @JsonProperty("hold_count") int holdCount,
            @JsonProperty("session_id") String sessionId) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Waiter(
            @JsonProperty("client_id") String clientId,
            @JsonProperty("lock_type") LockType lockType,

            @Schema(description = "Queued ahead of other waiters to upgrade the owner's shared hold")
            boolean upgrade,

            @JsonProperty("queued_at") Instant queuedAt,
            @Schema(description = "When the wait times out") Instant deadline,
            @JsonProperty("session_id") String sessionId) {}

    static LockStateResponse of(LockStateView view) {
        return new LockStateResponse(
                view.getLockId(),
                view.getMode() == LockMode.LOCK_MODE_UNSPECIFIED
                        ? "unlocked"
                        : LockType.of(view.getMode()).json(),
                view.getHoldersList().stream().map(LockStateResponse::holder).toList(),
                view.getWaitersList().stream().map(LockStateResponse::waiter).toList());
    }

    private static Holder holder(LockHolder h) {
        return new Holder(
                h.getOwner(),
                LockType.of(h.getMode()),
                h.getFencingToken(),
                Instant.ofEpochMilli(h.getSinceMillis()),
                Instant.ofEpochMilli(h.getExpiresAtMillis()),
                h.getHoldCount(),
                h.getSessionId().isEmpty() ? null : h.getSessionId());
    }

    private static Waiter waiter(LockWaiter w) {
        return new Waiter(
                w.getOwner(),
                LockType.of(w.getMode()),
                w.getUpgrade(),
                Instant.ofEpochMilli(w.getQueuedAtMillis()),
                Instant.ofEpochMilli(w.getDeadlineMillis()),
                w.getSessionId().isEmpty() ? null : w.getSessionId());
    }
}
