package io.sinkron.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One keep-alive connection speaking Redis's protocol (RESP2) on a plain blocking socket, the
 * counterpart of {@link HttpConnection} for set-up steps (filling keys): write one pre-encoded
 * command, read its one reply with {@link RespReplyParser}, nothing pipelined. The reply's type is
 * returned; a simple string, error, integer or bulk string is kept for {@link #text()}, the
 * elements of an array are read and dropped. After an I/O error or a malformed reply the next
 * command reconnects. Also encodes commands ({@link #command}).
 */
final class RespConnection implements AutoCloseable {

    /** Reply types, the first byte of a RESP2 reply. */
    static final char SIMPLE = '+';

    static final char ERROR = '-';
    static final char INTEGER = ':';
    static final char BULK = '$';
    static final char ARRAY = '*';

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
    private final RespReplyParser parser = new RespReplyParser();
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
            readReply();
            return parser.type();
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
        return parser.text();
    }

    /** The length of the last reply's text, -1 for a nil bulk string or an array. */
    int length() {
        return parser.length();
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

    private void readReply() throws IOException {
        parser.reset();
        while (true) {
            position += parser.parse(buffer, position, limit);
            if (parser.complete()) {
                return;
            }
            if (position > 0) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                position = 0;
            }
            if (limit == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            int r = in.read(buffer, limit, buffer.length - limit);
            if (r < 0) {
                parser.endOfStream();
                return;
            }
            limit += r;
        }
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
