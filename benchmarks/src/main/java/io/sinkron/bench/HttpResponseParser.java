package io.sinkron.bench;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses HTTP/1.1 responses incrementally, in place, from whatever bytes have arrived: the status
 * line, the few headers that frame the body ({@code Content-Length}, {@code Transfer-Encoding:
 * chunked}, {@code Connection: close}) and the body, with no per-header objects. {@link #parse}
 * consumes complete lines and any body bytes and leaves an incomplete line in the caller's buffer
 * for the next call, so a response may arrive split anywhere, and bytes after a complete response
 * (a pipelined next one) are left unconsumed. One parser per connection, {@link #reset} between
 * responses. This is the per-request work {@code wrk} does, and nothing more.
 */
final class HttpResponseParser implements ReplyParser {

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection:".getBytes(StandardCharsets.US_ASCII);
    /** Longer status or header lines than this are refused rather than buffered without end. */
    static final int MAX_LINE = 64 * 1024;

    private enum State {
        STATUS_LINE,
        HEADERS,
        BODY,
        CHUNK_SIZE,
        CHUNK_DATA,
        CHUNK_END,
        TRAILERS,
        UNTIL_CLOSE,
        DONE
    }

    private State state = State.STATUS_LINE;
    private int status;
    private long contentLength;
    private boolean chunked;
    private boolean closeAfter;
    private long remaining;
    private byte[] body = new byte[4 * 1024];
    private int bodyLength;

    /** Forgets the last response; the next bytes parsed start a new one. */
    @Override
    public void reset() {
        state = State.STATUS_LINE;
        status = 0;
        contentLength = -1;
        chunked = false;
        closeAfter = false;
        remaining = 0;
        bodyLength = 0;
    }

    HttpResponseParser() {
        reset();
    }

    /**
     * Parses {@code buffer[from, to)} as far as it goes.
     *
     * @return how many bytes were consumed: fewer than offered when a line is incomplete (keep the
     *     rest and offer it again with more) or when the response completed before {@code to}
     * @throws IOException when the bytes are not an HTTP/1.1 response
     */
    @Override
    public int parse(byte[] buffer, int from, int to) throws IOException {
        int p = from;
        while (state != State.DONE) {
            switch (state) {
                case BODY, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, to - p);
                    append(buffer, p, n);
                    p += n;
                    remaining -= n;
                    if (remaining > 0) {
                        return p - from;
                    }
                    state = state == State.BODY ? State.DONE : State.CHUNK_END;
                }
                case UNTIL_CLOSE -> {
                    append(buffer, p, to - p);
                    return to - from;
                }
                default -> {
                    int lineEnd = lineEnd(buffer, p, to);
                    if (lineEnd < 0) {
                        if (to - p > MAX_LINE) {
                            throw new IOException("HTTP line longer than " + MAX_LINE + " bytes");
                        }
                        return p - from;
                    }
                    line(buffer, p, lineEnd);
                    p = lineEnd + 2;
                }
            }
        }
        return p - from;
    }

    /**
     * The connection reached its end: completes a response whose body runs until the close.
     *
     * @throws EOFException when the response was incomplete
     */
    @Override
    public void endOfStream() throws EOFException {
        if (state == State.UNTIL_CLOSE) {
            state = State.DONE;
            closeAfter = true;
        } else if (state != State.DONE) {
            throw new EOFException(
                    state == State.STATUS_LINE && status == 0
                            ? "connection closed by the server"
                            : "connection closed inside a response");
        }
    }

    /** Whether a whole response has been parsed. */
    @Override
    public boolean complete() {
        return state == State.DONE;
    }

    /** Whether nothing of a response has been parsed since the last reset. */
    boolean idle() {
        return state == State.STATUS_LINE && status == 0;
    }

    int status() {
        return status;
    }

    /** Whether the server will close the connection after this response. */
    boolean closeAfter() {
        return closeAfter;
    }

    /** The body of the response, decoded as UTF-8. */
    String body() {
        return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
    }

    int bodyLength() {
        return bodyLength;
    }

    private void line(byte[] b, int from, int to) throws IOException {
        switch (state) {
            case STATUS_LINE -> {
                if (to - from < 12 || b[from + 8] != ' ' || !startsWith(b, from, "HTTP/1.")) {
                    throw new IOException("malformed status line");
                }
                status = digit(b[from + 9]) * 100 + digit(b[from + 10]) * 10 + digit(b[from + 11]);
                state = State.HEADERS;
            }
            case HEADERS -> {
                if (to > from) {
                    header(b, from, to);
                } else if (chunked) {
                    state = State.CHUNK_SIZE;
                } else if (contentLength > 0) {
                    remaining = contentLength;
                    state = State.BODY;
                } else if (contentLength == 0 || status == 204 || status == 304 || status < 200) {
                    state = State.DONE;
                } else {
                    state = State.UNTIL_CLOSE;
                }
            }
            case CHUNK_SIZE -> {
                int sizeEnd = to;
                for (int i = from; i < to; i++) {
                    if (b[i] == ';') {
                        sizeEnd = i;
                        break;
                    }
                }
                remaining = parseLong(b, from, sizeEnd, 16);
                state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
            }
            case CHUNK_END -> {
                if (to != from) {
                    throw new IOException("chunk not followed by CRLF");
                }
                state = State.CHUNK_SIZE;
            }
            case TRAILERS -> {
                if (to == from) {
                    state = State.DONE;
                }
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    private void header(byte[] b, int from, int to) throws IOException {
        if (startsWithIgnoreCase(b, from, to, CONTENT_LENGTH)) {
            contentLength = parseLong(b, from + CONTENT_LENGTH.length, to, 10);
        } else if (startsWithIgnoreCase(b, from, to, TRANSFER_ENCODING)) {
            chunked = containsIgnoreCase(b, from + TRANSFER_ENCODING.length, to, "chunked");
        } else if (startsWithIgnoreCase(b, from, to, CONNECTION)) {
            closeAfter = containsIgnoreCase(b, from + CONNECTION.length, to, "close");
        }
    }

    private void append(byte[] b, int from, int n) {
        if (bodyLength + n > body.length) {
            body = Arrays.copyOf(body, Math.max(bodyLength + n, body.length * 2));
        }
        System.arraycopy(b, from, body, bodyLength, n);
        bodyLength += n;
    }

    /** The index of the {@code \r} of the first CRLF in {@code b[from, to)}, or -1. */
    private static int lineEnd(byte[] b, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int from, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(byte[] b, int from, int to, byte[] lowerName) {
        if (to - from < lowerName.length) {
            return false;
        }
        for (int i = 0; i < lowerName.length; i++) {
            if ((b[from + i] | 0x20) != lowerName[i] && b[from + i] != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsIgnoreCase(byte[] b, int from, int to, String lowerWord) {
        outer:
        for (int i = from; i + lowerWord.length() <= to; i++) {
            for (int j = 0; j < lowerWord.length(); j++) {
                if ((b[i + j] | 0x20) != lowerWord.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static int digit(byte c) throws IOException {
        if (c < '0' || c > '9') {
            throw new IOException("malformed status code");
        }
        return c - '0';
    }

    private static long parseLong(byte[] b, int from, int to, int radix) throws IOException {
        long value = 0;
        boolean digits = false;
        for (int i = from; i < to; i++) {
            int d = Character.digit(b[i], radix);
            if (d >= 0) {
                if (value > (Long.MAX_VALUE >> 4)) {
                    throw new IOException("number too large in the header section");
                }
                value = value * radix + d;
                digits = true;
            } else if (b[i] != ' ' && b[i] != '\t') {
                throw new IOException("malformed number in the header section");
            }
        }
        if (!digits) {
            throw new IOException("missing number in the header section");
        }
        return value;
    }
}
