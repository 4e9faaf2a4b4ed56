package io.sinkron.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/**
 * One keep-alive HTTP/1.1 connection on a plain blocking socket, for the harness's set-up steps
 * (filling a queue or a cache, the write-latency probe, snapshots): write a pre-rendered request and
 * read the answer with the same {@link HttpResponseParser} the load's event loops use. After an I/O
 * error or a {@code Connection: close} the next request reconnects.
 */
final class HttpConnection implements AutoCloseable {

    private final InetSocketAddress address;
    private final String authority;
    private final int timeoutMillis;
    private final HttpResponseParser parser = new HttpResponseParser();
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
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
            readResponse();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        if (parser.closeAfter()) {
            close();
        }
        return parser.status();
    }

    /** The body of the last answer, decoded as UTF-8. */
    String body() {
        return parser.body();
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

    private void readResponse() throws IOException {
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
