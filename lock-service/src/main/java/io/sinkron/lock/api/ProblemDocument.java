package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.util.List;

/**
 * The shape of the problem details {@link ProblemDetails} writes, for the OpenAPI document only:
 * Spring's {@code ProblemDetail} flattens its extra members, which its own schema cannot show.
 */
@Schema(name = "Problem", description = "An RFC 9457 problem detail (application/problem+json)")
@JsonInclude(JsonInclude.Include.NON_NULL)
record ProblemDocument(
        @Schema(
                description = "The error kind: https://sinkron.io/problems/ followed by lock-timeout, deadlock,"
                        + " not-owner, lease-expired, cancelled, session-not-found, validation, not-found,"
                        + " method-not-allowed, not-acceptable, unsupported-media-type or unavailable",
                example = "https://sinkron.io/problems/lock-timeout")
        URI type,

        @Schema(example = "Lock not acquired in time") String title,
        @Schema(example = "409") int status,

        @Schema(description = "What happened to this request")
        String detail,

        @Schema(description = "The request path", example = "/locks/orders-42")
        URI instance,

        @Schema(description = "deadlock only: each owner waits for the lock beside it, held or awaited by the next")
        List<DeadlocksResponse.WaitEdge> cycle,

        @Schema(description = "validation only: the offending fields, by their JSON names")
        List<FieldProblem> errors,

        @Schema(description = "unavailable only: why the cluster call failed", example = "deadline_exceeded")
        String reason) {

    record FieldProblem(
            @Schema(example = "timeout") String field,

            @Schema(example = "must be less than or equal to 600000")
            String message) {}
}
