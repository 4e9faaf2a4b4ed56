package io.sinkron.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/**
 * The blocking socket under {@link HttpConnection} and {@link RespConnection}: connects on first
 * use (again after {@link #close}), writes a request and feeds the answer's bytes to the parser
 * until it is complete. On an I/O or parse error the connection is closed and the error thrown.
 */
final class BlockingExchange implements AutoCloseable {

    private final InetSocketAddress address;
    private final int timeoutMillis;
    private final ReplyParser parser;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    private long connects;

    /** @param timeoutMillis connect timeout and longest wait for the next bytes of an answer */
    BlockingExchange(InetSocketAddress address, int timeoutMillis, ReplyParser parser) {
        this.address = address;
        this.timeoutMillis = timeoutMillis;
        this.parser = parser;
    }

    /** Sends {@code request} and reads one answer into the parser. */
    void exchange(byte[] request) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(request);
            out.flush();
            read();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
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

    private void read() throws IOException {
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
