package io.sinkron.lock.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import org.springframework.context.annotation.Configuration;

/** The title and description of the service's OpenAPI document at {@code /v3/api-docs}. */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Sinkron lock-service",
                        version = "v1",
                        description = "Linearizable locks replicated by Raft: shared and exclusive modes, FIFO waiters,"
                                + " reentrancy, fencing tokens, leases and sessions, and deadlock detection across"
                                + " clients. Errors are RFC 9457 problem details with `type`"
                                + " `https://sinkron.io/problems/<kind>`. Times are the cluster's log time.",
                        license = @License(name = "Apache-2.0")))
class OpenApiDefinition {}
