package io.sinkron.lock.api;

import static io.sinkron.lock.api.ProblemExamples.PROBLEM_JSON;

import io.sinkron.lock.service.LockProblem;
import io.sinkron.lock.service.LockService;
import io.sinkron.lock.service.LockService.Acquisition;
import io.sinkron.lock.service.ProblemKind;
import io.sinkron.proto.LockResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Objects;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Locks: acquire, release, inspect, keep alive, and check fencing tokens. */
@RestController
@RequestMapping(path = "/locks/{lock_id}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "locks", description = "Linearizable shared/exclusive locks with fencing tokens")
@ApiResponse(
        responseCode = "400",
        description = "Invalid input: malformed JSON, wrong types, unknown lock_type, out-of-range timeout or"
                + " ttl, missing or over-long ids",
        content =
                @Content(
                        mediaType = PROBLEM_JSON,
                        schema = @Schema(implementation = ProblemDocument.class),
                        examples = @ExampleObject(value = ProblemExamples.VALIDATION)))
@ApiResponse(
        responseCode = "503",
        description = "The consensus cluster could not be reached; for a command the outcome is unknown",
        content =
                @Content(
                        mediaType = PROBLEM_JSON,
                        schema = @Schema(implementation = ProblemDocument.class),
                        examples = @ExampleObject(value = ProblemExamples.UNAVAILABLE)))
class LockController {

    private static final String GRANT_EXAMPLE = """
            {"lock_id": "orders-42", "lock_type": "exclusive", "client_id": "worker-17", "fencing_token": 1042, \
            "expires_at": "2026-01-01T12:00:30Z", "hold_count": 1}""";

    private final LockService locks;

    LockController(LockService locks) {
        this.locks = locks;
    }

    @Operation(
            summary = "Acquire a lock",
            description = "Grants the lock at once if it is free (or held shared and a shared hold is asked for"
                    + " with nobody waiting), otherwise waits up to `timeout` ms in FIFO order. The holder"
                    + " acquiring again is reentrant; a sole shared holder asking for exclusive is upgraded."
                    + " Every grant carries a fencing token. A wait that would close a cycle of waiting"
                    + " owners is refused as a deadlock victim. A wait never outlives its timeout, and"
                    + " is withdrawn at once when the server learns that the caller has gone.")
    @ApiResponse(
            responseCode = "200",
            description = "Granted",
            content =
                    @Content(
                            schema = @Schema(implementation = LockGrantResponse.class),
                            examples = @ExampleObject(value = GRANT_EXAMPLE)))
    @ApiResponse(
            responseCode = "409",
            description = "Not granted: not within `timeout` (`lock-timeout`), chosen as the victim of a"
                    + " deadlock (`deadlock`, with the `cycle`), the session expired (`lease-expired`) or"
                    + " was closed (`cancelled`) while waiting, the grant's lease ended before the service"
                    + " could report it (`lease-expired`, after a failover), or the session belongs to another"
                    + " owner (`not-owner`)",
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = {
                                @ExampleObject(name = "lock-timeout", value = ProblemExamples.LOCK_TIMEOUT),
                                @ExampleObject(name = "deadlock", value = ProblemExamples.DEADLOCK),
                                @ExampleObject(name = "lease-expired", value = ProblemExamples.LEASE_EXPIRED),
                                @ExampleObject(name = "cancelled", value = ProblemExamples.CANCELLED)
                            }))
    @ApiResponse(
            responseCode = "404",
            description = "The session does not exist",
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.SESSION_NOT_FOUND)))
    @ApiResponse(
            responseCode = "413",
            description = ProblemExamples.PAYLOAD_TOO_LARGE_DESCRIPTION,
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.PAYLOAD_TOO_LARGE)))
    /*
     * A {@link LockGrantResponse} for a request that tries once, a {@code DeferredResult} of one for
     * a request that may wait: Spring MVC handles the value by its runtime type, and the 200
     * response's schema is declared above.
     */
    @PostMapping
    Object acquire(
            @PathVariable("lock_id")
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String lockId,
            @Valid @RequestBody AcquireRequest request) {
        if (request.ttl() != null && request.sessionId() != null) {
            throw new LockProblem(
                    ProblemKind.VALIDATION, "give ttl or session_id, not both: a session's locks live as long as it");
        }
        var acquisition = new Acquisition(
                lockId,
                request.clientId(),
                request.lockType().mode(),
                Objects.requireNonNullElse(request.timeout(), 0L),
                Objects.requireNonNullElse(request.ttl(), 0L),
                Objects.requireNonNullElse(request.sessionId(), ""));
        if (acquisition.timeoutMillis() == 0) {
            // Nothing waits, so one command decides: answered on this (virtual) thread, which spares
            // the request the container's async start and second dispatch.
            return LockGrantResponse.of(locks.tryAcquire(acquisition));
        }
        // A waiting request is answered by the cluster's event, and withdrawn if the caller goes.
        return AsyncResponses.of(locks.acquire(acquisition), LockGrantResponse::of);
    }

    @Operation(
            summary = "Release a lock",
            description = "Gives up one hold of the owner, named by the `client_id` query parameter or the"
                    + " `X-Client-Id` header. The lock passes to the next waiters when the last hold ends.")
    @ApiResponse(responseCode = "200", description = "Released")
    @ApiResponse(
            responseCode = "409",
            description = "The owner does not hold the lock (`not-owner`), or its lease expired and the lock"
                    + " was passed on (`lease-expired`)",
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = {
                                @ExampleObject(name = "not-owner", value = ProblemExamples.NOT_OWNER),
                                @ExampleObject(name = "lease-expired", value = ProblemExamples.LEASE_EXPIRED)
                            }))
    @DeleteMapping
    ReleaseResponse release(
            @PathVariable("lock_id")
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String lockId,
            @Parameter(description = "The owner (or use the X-Client-Id header)")
                    @RequestParam(name = "client_id", required = false)
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String clientIdParameter,
            @Parameter(description = "The owner (or use the client_id query parameter)")
                    @RequestHeader(name = "X-Client-Id", required = false)
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String clientIdHeader) {
        String owner = owner(clientIdParameter, clientIdHeader);
        LockResult result = locks.release(lockId, owner);
        return new ReleaseResponse(lockId, owner, result.getCount() == 0, result.getCount());
    }

    @Operation(
            summary = "Show a lock",
            description = "Its mode, holders, and waiters in the order they will be served.")
    @ApiResponse(responseCode = "200", description = "The lock; `unlocked` with no holders if nobody holds it")
    @GetMapping
    LockStateResponse state(
            @PathVariable("lock_id")
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String lockId) {
        return LockStateResponse.of(locks.state(lockId));
    }

    @Operation(
            summary = "Check a fencing token",
            description = "True only while the grant that issued the token is still held, so a protected"
                    + " resource can refuse a holder whose lease has expired (Chubby's sequencer check).")
    @ApiResponse(responseCode = "200", description = "Whether the token is current")
    @ApiResponse(
            responseCode = "413",
            description = ProblemExamples.PAYLOAD_TOO_LARGE_DESCRIPTION,
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.PAYLOAD_TOO_LARGE)))
    @PostMapping("/validate")
    ValidateResponse validate(
            @PathVariable("lock_id")
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String lockId,
            @Valid @RequestBody ValidateRequest request) {
        return new ValidateResponse(locks.valid(lockId, request.fencingToken()));
    }

    @Operation(
            summary = "Renew a lock's lease",
            description = "Extends the lease of the owner's hold by its ttl from now; for a lock held under a"
                    + " session, keeps the session alive.")
    @ApiResponse(responseCode = "200", description = "Renewed")
    @ApiResponse(
            responseCode = "409",
            description = "The owner does not hold the lock (`not-owner`) or its lease already expired"
                    + " (`lease-expired`)",
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = {
                                @ExampleObject(name = "not-owner", value = ProblemExamples.NOT_OWNER),
                                @ExampleObject(name = "lease-expired", value = ProblemExamples.LEASE_EXPIRED)
                            }))
    @ApiResponse(
            responseCode = "413",
            description = ProblemExamples.PAYLOAD_TOO_LARGE_DESCRIPTION,
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.PAYLOAD_TOO_LARGE)))
    @PostMapping("/keepalive")
    LockGrantResponse keepAlive(
            @PathVariable("lock_id")
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String lockId,
            @Parameter(description = "The owner (or use the X-Client-Id header)")
                    @RequestParam(name = "client_id", required = false)
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String clientIdParameter,
            @Parameter(description = "The owner (or use the client_id query parameter)")
                    @RequestHeader(name = "X-Client-Id", required = false)
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String clientIdHeader) {
        return LockGrantResponse.of(locks.keepAlive(lockId, owner(clientIdParameter, clientIdHeader)));
    }

    private static String owner(String parameter, String header) {
        if (parameter == null && header == null) {
            throw new LockProblem(
                    ProblemKind.VALIDATION,
                    "name the owner with the client_id query parameter or the X-Client-Id header");
        }
        if (parameter != null && header != null && !parameter.equals(header)) {
            throw new LockProblem(ProblemKind.VALIDATION, "client_id and X-Client-Id name different owners");
        }
        return parameter != null ? parameter : header;
    }
}
