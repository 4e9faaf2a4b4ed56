package io.sinkron.bench;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One keep-alive HTTP/1.1 connection on a plain blocking socket, for the harness's set-up steps
 * (filling a queue or a cache, the write-latency probe, snapshots): write a pre-rendered request and
 * read the answer with the same {@link HttpResponseParser} the load's event loops use. After an I/O
 * error or a {@code Connection: close} the next request reconnects.
 */
final class HttpConnection implements AutoCloseable {

    private final String authority;
    private final HttpResponseParser parser = new HttpResponseParser();
    private final BlockingExchange connection;

    /** @param timeoutMillis connect timeout and longest wait for the next bytes of an answer */
    HttpConnection(String host, int port, int timeoutMillis) {
        this.authority = host + ":" + port;
        this.connection = new BlockingExchange(new InetSocketAddress(host, port), timeoutMillis, parser);
    }

    /** Sends {@code request} (a whole HTTP/1.1 request) and reads the answer; returns its status. */
    int exchange(byte[] request) throws IOException {
        connection.exchange(request);
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
        return connection.connects();
    }

    @Override
    public void close() {
        connection.close();
    }
}
