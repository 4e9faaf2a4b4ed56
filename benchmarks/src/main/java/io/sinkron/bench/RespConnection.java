package io.sinkron.bench;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One keep-alive connection speaking Redis's protocol (RESP2) on a plain blocking socket, owned by
 * one virtual thread, the counterpart of {@link HttpConnection}: write one pre-encoded command,
 * read its one reply, nothing pipelined. The reply's type is returned; a simple string, error,
 * integer or bulk string is kept for {@link #text()}, the elements of an array are read and
 * dropped. After an I/O error or a malformed reply the next command reconnects.
 */
final class RespConnection implements AutoCloseable {

    /** Reply types, the first byte of a RESP2 reply. */
    static final char SIMPLE = '+';

    static final char ERROR = '-';
    static final char INTEGER = ':';
    static final char BULK = '$';
    static final char ARRAY = '*';

    private static final int MAX_BULK = 512 * 1024 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    private final InetSocketAddress address;
    private final String authority;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    private byte[] value = new byte[4 * 1024];
    private int valueLength = -1;
    private long connects;

    /** @param timeoutMillis connect timeout and longest wait for the next bytes of a reply */
    RespConnection(String host, int port, int timeoutMillis) {
        this.address = new InetSocketAddress(host, port);
        this.authority = host + ":" + port;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * A command as RESP2 sends it: an array of bulk strings, {@code *N\r\n} then
     * {@code $len\r\narg\r\n} per argument.
     */
    static byte[] command(byte[]... args) {
        int size = 16;
        for (byte[] arg : args) {
            size += arg.length + 16;
        }
        var b = new ByteArrayOutputStream(size);
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            b.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(arg);
            b.writeBytes(CRLF);
        }
        return b.toByteArray();
    }

    /** {@link #command(byte[]...)} of UTF-8 texts. */
    static byte[] command(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return command(bytes);
    }

    /**
     * Sends {@code command} (a whole encoded command) and reads its reply.
     *
     * @return the reply's type: {@link #SIMPLE}, {@link #ERROR}, {@link #INTEGER}, {@link #BULK}
     *     or {@link #ARRAY}
     */
    char exchange(byte[] command) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(command);
            out.flush();
            return readReply(true);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The last reply as text: the simple string, error or integer, the bulk string as UTF-8;
     * {@code null} for a nil bulk string or an array.
     */
    String text() {
        return valueLength < 0 ? null : new String(value, 0, valueLength, StandardCharsets.UTF_8);
    }

    /** The length of the last reply's text, -1 for a nil bulk string or an array. */
    int length() {
        return valueLength;
    }

    /** {@code host:port}. */
    String authority() {
        return authority;
    }

    /** How often this connection was (re)opened: 1 for a connection that kept alive throughout. */
    long connects() {
        return connects;
    }

    private void connect() throws IOException {
        var s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMillis);
            s.connect(address, timeoutMillis);
            in = s.getInputStream();
            out = s.getOutputStream();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        position = 0;
        limit = 0;
        connects++;
    }

    /** Reads one reply; {@code keep}: keep its text (the top-level reply, not an array element). */
    private char readReply(boolean keep) throws IOException {
        int lineEnd = lineEnd();
        if (lineEnd == position) {
            throw new IOException("empty RESP reply line");
        }
        char type = (char) buffer[position];
        int from = position + 1;
        position = lineEnd + 2;
        switch (type) {
            case SIMPLE, ERROR, INTEGER -> {
                if (type == INTEGER) {
                    parseLong(from, lineEnd);
                }
                if (keep) {
                    keep(from, lineEnd - from);
                }
            }
            case BULK -> {
                long length = parseLong(from, lineEnd);
                if (length < -1 || length > MAX_BULK) {
                    throw new IOException("bulk string length " + length + " out of range");
                }
                if (length == -1) {
                    if (keep) {
                        valueLength = -1;
                    }
                } else {
                    readBulk((int) length, keep);
                }
            }
            case ARRAY -> {
                long count = parseLong(from, lineEnd);
                if (count < -1 || count > Integer.MAX_VALUE) {
                    throw new IOException("array length " + count + " out of range");
                }
                for (long i = 0; i < count; i++) {
                    readReply(false);
                }
                if (keep) {
                    valueLength = -1;
                }
            }
            default -> throw new IOException("not a RESP2 reply type: '" + type + "'");
        }
        return type;
    }

    private void keep(int from, int length) {
        ensureValue(length);
        System.arraycopy(buffer, from, value, 0, length);
        valueLength = length;
    }

    /** Reads a bulk string's {@code length} bytes and its closing CRLF. */
    private void readBulk(int length, boolean keep) throws IOException {
        if (keep) {
            ensureValue(length);
            valueLength = 0;
        }
        int remaining = length;
        while (remaining > 0) {
            if (position == limit) {
                fill();
            }
            int n = Math.min(remaining, limit - position);
            if (keep) {
                System.arraycopy(buffer, position, value, valueLength, n);
                valueLength += n;
            }
            position += n;
            remaining -= n;
        }
        while (limit - position < 2) {
            fill();
        }
        if (buffer[position] != '\r' || buffer[position + 1] != '\n') {
            throw new IOException("bulk string not followed by CRLF");
        }
        position += 2;
    }

    private void ensureValue(int capacity) {
        if (capacity > value.length) {
            value = Arrays.copyOf(value, Math.max(capacity, value.length * 2));
        }
    }

    /** The index of the {@code \r} that ends the line at {@code position}, reading more if needed. */
    private int lineEnd() throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = position + scanned; i + 1 < limit; i++) {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n') {
                    return i;
                }
            }
            scanned = Math.max(0, limit - 1 - position);
            fill();
        }
    }

    /** Reads more bytes after {@code limit}, compacting or growing the buffer first. */
    private void fill() throws IOException {
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        if (limit == buffer.length) {
            if (buffer.length >= 1 << 20) {
                throw new IOException("RESP line longer than 1 MiB");
            }
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int r = in.read(buffer, limit, buffer.length - limit);
        if (r < 0) {
            throw new EOFException("connection closed by the server");
        }
        limit += r;
    }

    private long parseLong(int from, int to) throws IOException {
        boolean negative = from < to && buffer[from] == '-';
        int i = negative ? from + 1 : from;
        if (i == to || to - i > 18) {
            throw new IOException("malformed number in a RESP reply");
        }
        long n = 0;
        for (; i < to; i++) {
            int d = buffer[i] - '0';
            if (d < 0 || d > 9) {
                throw new IOException("malformed number in a RESP reply");
            }
            n = n * 10 + d;
        }
        return negative ? -n : n;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing a broken connection; the next exchange opens a new one.
            }
            socket = null;
        }
    }
}
