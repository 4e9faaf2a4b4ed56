package io.sinkron.lock.api;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "Whether the grant that issued the token is still held")
public record ValidateResponse(boolean valid) {}
