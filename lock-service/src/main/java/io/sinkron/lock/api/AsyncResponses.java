package io.sinkron.lock.api;

import io.sinkron.lock.service.LockService;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.springframework.web.context.request.async.DeferredResult;

/** Answers an HTTP request from a future without holding a thread while it waits. */
final class AsyncResponses {

    private AsyncResponses() {}

    /**
     * The response is {@code future}'s value mapped, or its failure handled like a thrown
     * exception. If the request fails first (the container reports the caller gone) or the
     * server's async timeout strikes, the future is cancelled, which withdraws the waiting request.
     *
     * <p>Tomcat reports a vanished HTTP/1.1 caller only when it writes to the connection, which a
     * waiting request does not do until it is answered; an HTTP/2 caller's stream reset is
     * reported at once. A wait the container never reports ends at its timeout all the same.
     */
    static <T, R> DeferredResult<R> of(CompletableFuture<T> future, Function<T, R> mapper) {
        var result = new DeferredResult<R>();
        future.whenComplete((value, error) -> {
            if (error == null) {
                result.setResult(mapper.apply(value));
            } else {
                result.setErrorResult(LockService.unwrap(error));
            }
        });
        result.onError(error -> future.cancel(false));
        result.onTimeout(() -> future.cancel(false));
        return result;
    }
}
