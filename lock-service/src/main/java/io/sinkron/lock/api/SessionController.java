package io.sinkron.lock.api;

import static io.sinkron.lock.api.ProblemExamples.PROBLEM_JSON;

import io.sinkron.lock.service.LockService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Lock-user sessions: locks taken under one live as long as it is kept alive. */
@RestController
@RequestMapping(path = "/sessions", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "sessions", description = "Lock-user sessions, like etcd leases or Hazelcast CP sessions")
@ApiResponse(
        responseCode = "400",
        description = "Invalid input",
        content =
                @Content(
                        mediaType = PROBLEM_JSON,
                        schema = @Schema(implementation = ProblemDocument.class),
                        examples = @ExampleObject(value = ProblemExamples.VALIDATION)))
@ApiResponse(
        responseCode = "503",
        description = "The consensus cluster could not be reached",
        content =
                @Content(
                        mediaType = PROBLEM_JSON,
                        schema = @Schema(implementation = ProblemDocument.class),
                        examples = @ExampleObject(value = ProblemExamples.UNAVAILABLE)))
class SessionController {

    private static final String SESSION_EXAMPLE = """
            {"session_id": "session-42", "client_id": "worker-17", "ttl": 10000, \
            "expires_at": "2026-01-01T12:00:10Z"}""";

    private final LockService locks;

    SessionController(LockService locks) {
        this.locks = locks;
    }

    @Operation(summary = "Open a session", description = "The session lives `ttl` ms unless kept alive.")
    @ApiResponse(
            responseCode = "200",
            description = "Opened",
            content =
                    @Content(
                            schema = @Schema(implementation = SessionResponse.class),
                            examples = @ExampleObject(value = SESSION_EXAMPLE)))
    @ApiResponse(
            responseCode = "413",
            description = ProblemExamples.PAYLOAD_TOO_LARGE_DESCRIPTION,
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.PAYLOAD_TOO_LARGE)))
    @PostMapping
    SessionResponse open(@Valid @RequestBody SessionRequest request) {
        return SessionResponse.of(locks.openSession(request.clientId(), request.ttl()));
    }

    @Operation(summary = "Keep a session alive", description = "Its ttl starts again from now.")
    @ApiResponse(
            responseCode = "200",
            description = "Renewed",
            content =
                    @Content(
                            schema = @Schema(implementation = SessionResponse.class),
                            examples = @ExampleObject(value = SESSION_EXAMPLE)))
    @ApiResponse(
            responseCode = "404",
            description = "No such session",
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.SESSION_NOT_FOUND)))
    @ApiResponse(
            responseCode = "409",
            description = "The session expired: its locks were passed on (`lease-expired`)",
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.LEASE_EXPIRED)))
    @ApiResponse(
            responseCode = "413",
            description = ProblemExamples.PAYLOAD_TOO_LARGE_DESCRIPTION,
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.PAYLOAD_TOO_LARGE)))
    @PostMapping("/{session_id}/keepalive")
    SessionResponse keepAlive(
            @PathVariable("session_id")
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String sessionId) {
        return SessionResponse.of(locks.keepAliveSession(sessionId));
    }

    @Operation(
            summary = "Close a session",
            description = "Releases every lock of the session and cancels its waiting requests.")
    @ApiResponse(responseCode = "200", description = "Closed")
    @ApiResponse(
            responseCode = "404",
            description = "No such session",
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.SESSION_NOT_FOUND)))
    @ApiResponse(
            responseCode = "409",
            description = "The session had already expired (`lease-expired`)",
            content =
                    @Content(
                            mediaType = PROBLEM_JSON,
                            schema = @Schema(implementation = ProblemDocument.class),
                            examples = @ExampleObject(value = ProblemExamples.LEASE_EXPIRED)))
    @DeleteMapping("/{session_id}")
    SessionClosedResponse close(
            @PathVariable("session_id")
                    @Size(max = Limits.MAX_ID_LENGTH)
                    @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
                    String sessionId) {
        return new SessionClosedResponse(
                sessionId, locks.closeSession(sessionId).getCount());
    }
}
