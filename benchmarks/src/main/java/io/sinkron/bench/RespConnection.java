package io.sinkron.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

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

    private final String authority;
    private final RespReplyParser parser = new RespReplyParser();
    private final BlockingExchange connection;

    /** @param timeoutMillis connect timeout and longest wait for the next bytes of a reply */
    RespConnection(String host, int port, int timeoutMillis) {
        this.authority = host + ":" + port;
        this.connection = new BlockingExchange(new InetSocketAddress(host, port), timeoutMillis, parser);
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
        connection.exchange(command);
        return parser.type();
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
        return connection.connects();
    }

    @Override
    public void close() {
        connection.close();
    }
}
