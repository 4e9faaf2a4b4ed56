package io.sinkron.lock.api;

import io.sinkron.lock.service.LockService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The deadlocks the cluster found between lock owners. */
@RestController
@Tag(name = "deadlocks", description = "Wait-for-graph deadlock detection across clients")
class DeadlockController {

    private static final String DEADLOCKS_EXAMPLE = """
            {"total_detected": 1, "deadlocks": [{"detected_at": "2026-01-01T12:00:00Z", "log_index": 1042, \
            "cycle": [{"client_id": "worker-17", "lock_id": "orders-42"}, \
            {"client_id": "worker-3", "lock_id": "invoices-7"}], \
            "victim": {"client_id": "worker-17", "lock_id": "orders-42"}}]}""";

    private final LockService locks;

    DeadlockController(LockService locks) {
        this.locks = locks;
    }

    @Operation(
            summary = "Recent deadlocks",
            description = "The cycles found in the wait-for graph (up to the last 100) and the victim of"
                    + " each: the youngest waiting request of the cycle.")
    @ApiResponse(
            responseCode = "200",
            description = "The deadlocks",
            content =
                    @Content(
                            schema = @Schema(implementation = DeadlocksResponse.class),
                            examples = @ExampleObject(value = DEADLOCKS_EXAMPLE)))
    @GetMapping(path = "/deadlocks", produces = MediaType.APPLICATION_JSON_VALUE)
    DeadlocksResponse deadlocks() {
        return DeadlocksResponse.of(locks.deadlocks());
    }
}
