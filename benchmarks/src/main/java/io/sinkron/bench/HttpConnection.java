package io.sinkron.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One keep-alive HTTP/1.1 connection on a plain blocking socket, owned by one virtual thread: write
 * a pre-rendered request, read the status line, the few headers that frame the body
 * ({@code Content-Length}, {@code Transfer-Encoding: chunked}, {@code Connection: close}) and the
 * body, byte by byte from one buffer with no per-header objects. It does what {@code wrk} does per
 * request and nothing more, which is why it keeps up with it where the JDK's {@code HttpClient}
 * does not. After an I/O error or a {@code Connection: close} the next request reconnects.
 */
final class HttpConnection implements AutoCloseable {

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection:".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress address;
    private final String authority;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    private byte[] body = new byte[4 * 1024];
    private int bodyLength;
    private long connects;

    /** @param timeoutMillis connect timeout and longest wait for the next bytes of an answer */
    HttpConnection(String host, int port, int timeoutMillis) {
        this.address = new InetSocketAddress(host, port);
        this.authority = host + ":" + port;
        this.timeoutMillis = timeoutMillis;
    }

    /** Sends {@code request} (a whole HTTP/1.1 request) and reads the answer; returns its status. */
    int exchange(byte[] request) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(request);
            out.flush();
            return readResponse();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The body of the last answer, decoded as UTF-8. */
    String body() {
        return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
    }

    /** {@code host:port}, for the {@code Host} header. */
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

    private int readResponse() throws IOException {
        int lineEnd = lineEnd();
        if (lineEnd - position < 12 || buffer[position + 8] != ' ') {
            throw new IOException("malformed status line");
        }
        int status =
                (buffer[position + 9] - '0') * 100 + (buffer[position + 10] - '0') * 10 + (buffer[position + 11] - '0');
        position = lineEnd + 2;
        long contentLength = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        for (lineEnd = lineEnd(); lineEnd > position; lineEnd = lineEnd()) {
            if (startsWithIgnoreCase(CONTENT_LENGTH, lineEnd)) {
                contentLength = parseLong(position + CONTENT_LENGTH.length, lineEnd, 10);
            } else if (startsWithIgnoreCase(TRANSFER_ENCODING, lineEnd)) {
                chunked = contains(position, lineEnd, "chunked");
            } else if (startsWithIgnoreCase(CONNECTION, lineEnd)) {
                closeAfter = contains(position, lineEnd, "close");
            }
            position = lineEnd + 2;
        }
        position = lineEnd + 2;
        bodyLength = 0;
        if (chunked) {
            readChunks();
        } else if (contentLength >= 0) {
            readBody((int) contentLength);
        } else if (status != 204 && status != 304 && status >= 200) {
            readUntilClose();
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return status;
    }

    private void readChunks() throws IOException {
        while (true) {
            int lineEnd = lineEnd();
            int sizeEnd = lineEnd;
            for (int i = position; i < lineEnd; i++) {
                if (buffer[i] == ';') {
                    sizeEnd = i;
                    break;
                }
            }
            int size = (int) parseLong(position, sizeEnd, 16);
            position = lineEnd + 2;
            if (size == 0) {
                // Trailers, then the empty line that ends the message.
                for (lineEnd = lineEnd(); lineEnd > position; lineEnd = lineEnd()) {
                    position = lineEnd + 2;
                }
                position = lineEnd + 2;
                return;
            }
            readBody(size);
            lineEnd = lineEnd();
            position = lineEnd + 2;
        }
    }

    /** Appends the next {@code n} bytes to the body. */
    private void readBody(int n) throws IOException {
        ensureBody(bodyLength + n);
        int copied = Math.min(n, limit - position);
        System.arraycopy(buffer, position, body, bodyLength, copied);
        position += copied;
        bodyLength += copied;
        while (copied < n) {
            int r = in.read(body, bodyLength, n - copied);
            if (r < 0) {
                throw new EOFException("connection closed inside a body");
            }
            copied += r;
            bodyLength += r;
        }
    }

    private void readUntilClose() throws IOException {
        readBody(limit - position);
        while (true) {
            ensureBody(bodyLength + 4096);
            int r = in.read(body, bodyLength, 4096);
            if (r < 0) {
                return;
            }
            bodyLength += r;
        }
    }

    private void ensureBody(int capacity) {
        if (capacity > body.length) {
            body = Arrays.copyOf(body, Math.max(capacity, body.length * 2));
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
                throw new IOException("header section longer than 1 MiB");
            }
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int r = in.read(buffer, limit, buffer.length - limit);
        if (r < 0) {
            throw new EOFException("connection closed by the server");
        }
        limit += r;
    }

    private boolean startsWithIgnoreCase(byte[] lowerName, int lineEnd) {
        if (lineEnd - position < lowerName.length) {
            return false;
        }
        for (int i = 0; i < lowerName.length; i++) {
            if ((buffer[position + i] | 0x20) != lowerName[i] && buffer[position + i] != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean contains(int from, int to, String lowerWord) {
        String text = new String(buffer, from, to - from, StandardCharsets.US_ASCII);
        return text.toLowerCase(java.util.Locale.ROOT).contains(lowerWord);
    }

    private long parseLong(int from, int to, int radix) throws IOException {
        long value = 0;
        boolean digits = false;
        for (int i = from; i < to; i++) {
            int d = Character.digit(buffer[i], radix);
            if (d >= 0) {
                value = value * radix + d;
                digits = true;
            } else if (buffer[i] != ' ' && buffer[i] != '\t') {
                throw new IOException("malformed number in the header section");
            }
        }
        if (!digits) {
            throw new IOException("missing number in the header section");
        }
        return value;
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
