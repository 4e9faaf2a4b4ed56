package io.sinkron.bench;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses one reply of Redis's protocol (RESP2) incrementally, in place, the counterpart of
 * {@link HttpResponseParser}: {@link #parse} consumes complete lines and bulk-string bytes, leaves
 * an incomplete line for the next call and stops at the end of the reply, so a reply may arrive
 * split anywhere and a pipelined next one is left unconsumed. The top-level reply's type is kept,
 * and its text for a simple string, error, integer or bulk string; the elements of an array (nested
 * to any depth) are read and dropped.
 */
final class RespReplyParser implements ReplyParser {

    private static final int MAX_BULK = 512 * 1024 * 1024;
    private static final int MAX_LINE = 64 * 1024;

    private char type;
    private boolean done;
    /** Bytes of the bulk string being read still to come, then its CRLF; -1 between lines. */
    private long bulkRemaining = -1;

    private boolean bulkKept;
    /** Elements still to read, per open array; {@code depth} arrays are open. */
    private long[] pending = new long[8];

    private int depth;
    private byte[] value = new byte[4 * 1024];
    private int valueLength = -1;

    /** Forgets the last reply; the next bytes parsed start a new one. */
    @Override
    public void reset() {
        type = 0;
        done = false;
        bulkRemaining = -1;
        depth = 0;
        valueLength = -1;
    }

    /**
     * Parses {@code buffer[from, to)} as far as it goes.
     *
     * @return how many bytes were consumed
     * @throws IOException when the bytes are not a RESP2 reply
     */
    @Override
    public int parse(byte[] buffer, int from, int to) throws IOException {
        int p = from;
        while (!done) {
            if (bulkRemaining >= 0) {
                if (bulkRemaining > 0) {
                    int n = (int) Math.min(bulkRemaining, to - p);
                    if (bulkKept) {
                        System.arraycopy(buffer, p, value, valueLength, n);
                        valueLength += n;
                    }
                    p += n;
                    bulkRemaining -= n;
                    if (bulkRemaining > 0) {
                        return p - from;
                    }
                }
                if (to - p < 2) {
                    return p - from;
                }
                if (buffer[p] != '\r' || buffer[p + 1] != '\n') {
                    throw new IOException("bulk string not followed by CRLF");
                }
                p += 2;
                bulkRemaining = -1;
                elementDone();
                continue;
            }
            int lineEnd = -1;
            for (int i = p; i + 1 < to; i++) {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n') {
                    lineEnd = i;
                    break;
                }
            }
            if (lineEnd < 0) {
                if (to - p > MAX_LINE) {
                    throw new IOException("RESP line longer than " + MAX_LINE + " bytes");
                }
                return p - from;
            }
            line(buffer, p, lineEnd);
            p = lineEnd + 2;
        }
        return p - from;
    }

    /** The connection reached its end: fails unless a whole reply was parsed. */
    @Override
    public void endOfStream() throws EOFException {
        if (!done) {
            throw new EOFException(type == 0 ? "connection closed by the server" : "connection closed inside a reply");
        }
    }

    @Override
    public boolean complete() {
        return done;
    }

    /** The reply's type: {@link RespConnection#SIMPLE}, {@code ERROR}, {@code INTEGER}, {@code BULK} or {@code ARRAY}. */
    char type() {
        return type;
    }

    /** The reply as text; {@code null} for a nil bulk string or an array. */
    String text() {
        return valueLength < 0 ? null : new String(value, 0, valueLength, StandardCharsets.UTF_8);
    }

    /** The length of the reply's text, -1 for a nil bulk string or an array. */
    int length() {
        return valueLength;
    }

    private void line(byte[] b, int from, int to) throws IOException {
        if (to == from) {
            throw new IOException("empty RESP reply line");
        }
        char kind = (char) b[from];
        boolean top = type == 0;
        if (top) {
            type = kind;
        }
        switch (kind) {
            case RespConnection.SIMPLE, RespConnection.ERROR, RespConnection.INTEGER -> {
                if (kind == RespConnection.INTEGER) {
                    parseLong(b, from + 1, to);
                }
                if (top) {
                    keep(b, from + 1, to - from - 1);
                }
                elementDone();
            }
            case RespConnection.BULK -> {
                long length = parseLong(b, from + 1, to);
                if (length < -1 || length > MAX_BULK) {
                    throw new IOException("bulk string length " + length + " out of range");
                }
                if (length == -1) {
                    elementDone();
                } else {
                    bulkKept = top;
                    if (top) {
                        ensureValue((int) length);
                        valueLength = 0;
                    }
                    bulkRemaining = length;
                }
            }
            case RespConnection.ARRAY -> {
                long count = parseLong(b, from + 1, to);
                if (count < -1) {
                    throw new IOException("array length " + count + " out of range");
                }
                if (count <= 0) {
                    elementDone();
                } else {
                    if (depth == pending.length) {
                        pending = Arrays.copyOf(pending, depth * 2);
                    }
                    pending[depth++] = count;
                }
            }
            default -> throw new IOException("not a RESP2 reply type: '" + kind + "'");
        }
    }

    /** One value is complete: it closes every array it was the last element of. */
    private void elementDone() {
        while (depth > 0) {
            if (--pending[depth - 1] > 0) {
                return;
            }
            depth--;
        }
        done = true;
    }

    private void keep(byte[] b, int from, int length) {
        ensureValue(length);
        System.arraycopy(b, from, value, 0, length);
        valueLength = length;
    }

    private void ensureValue(int capacity) {
        if (capacity > value.length) {
            value = Arrays.copyOf(value, Math.max(capacity, value.length * 2));
        }
    }

    private static long parseLong(byte[] b, int from, int to) throws IOException {
        boolean negative = from < to && b[from] == '-';
        int i = negative ? from + 1 : from;
        if (i == to || to - i > 18) {
            throw new IOException("malformed number in a RESP reply");
        }
        long n = 0;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new IOException("malformed number in a RESP reply");
            }
            n = n * 10 + d;
        }
        return negative ? -n : n;
    }
}
