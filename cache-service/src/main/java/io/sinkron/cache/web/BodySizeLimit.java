package io.sinkron.cache.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Refuses a request body far larger than any acceptable value before Jackson reads it into
 * memory. The exact value limit is checked after parsing ({@link CacheRequests#value}).
 */
final class BodySizeLimit implements HandlerInterceptor {

    private final CacheRequests requests;

    BodySizeLimit(CacheRequests requests) {
        this.requests = requests;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        long length = request.getContentLengthLong();
        if (length > requests.maxBodyBytes()) {
            throw new PayloadTooLargeException(
                    "the request body is " + length + " bytes, over the limit of " + requests.maxBodyBytes(),
                    requests.maxBodyBytes());
        }
        return true;
    }
}
