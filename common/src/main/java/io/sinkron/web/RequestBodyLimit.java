package io.sinkron.web;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Refuses request bodies larger than a limit with 413 and a problem detail, before they are read
 * into memory: at once when {@code Content-Length} announces it, otherwise (a chunked body) as soon
 * as the stream passes the limit, when the reader of the body fails with {@link TooLarge}, which
 * the module's exception handler answers as 413 too.
 */
public final class RequestBodyLimit implements Filter {

    /** What reading a body fails with once it passes the limit. */
    public static final class TooLarge extends IOException {
        TooLarge(long limit) {
            super("the request body exceeds the limit of " + limit + " bytes");
        }
    }

    private final long limit;

    /** @param limit the largest body accepted, in bytes */
    public RequestBodyLimit(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("the body limit must not be negative");
        }
        this.limit = limit;
    }

    /** Whether {@code e} or one of its causes is a {@link TooLarge}. */
    public static boolean causedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TooLarge) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse out)) {
            chain.doFilter(request, response);
            return;
        }
        if (http.getContentLengthLong() > limit) {
            refuse(http, out);
            return;
        }
        chain.doFilter(new Limited(http, limit), response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String body = "{\"type\":\"" + ProblemReportValve.type(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE)
                + "\",\"title\":\"Payload too large\",\"status\":413,\"detail\":\"the request body exceeds the limit of "
                + limit + " bytes\"}";
        // The body is not read: the connection cannot carry another request after it.
        response.setHeader("Connection", "close");
        response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static final class Limited extends HttpServletRequestWrapper {

        private final long limit;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0) {
                        count(1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = in.read(buffer, offset, length);
                    if (n > 0) {
                        count(n);
                    }
                    return n;
                }

                private void count(int n) throws TooLarge {
                    read += n;
                    if (read > limit) {
                        throw new TooLarge(limit);
                    }
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
