package io.sinkron.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately naive HTTP/1.1 client over a plain socket, one connection per request: it sends
 * the bytes it is given, which the JDK's HttpClient would refuse to (control characters, raw
 * non-ASCII in the request target, a Content-Length that lies), and bounds every exchange by a
 * deadline so that a server that never answers fails the test instead of hanging it.
 */
public final class RawHttp {

    private final int port;
    private final Duration timeout;

    public RawHttp(int port, Duration timeout) {
        this.port = port;
        this.timeout = timeout;
    }

    /**
     * Sends the request to 127.0.0.1 and reads the whole response.
     *
     * @throws AssertionError when no complete response arrives in time or the server drops the
     *     connection without one: either is a finding
     */
    public RawResponse send(RawRequest request) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head(request));
            out.write(request.body());
            out.flush();
            if (request.endsInput()) {
                socket.shutdownOutput();
            }
            return read(socket, deadline, request);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete response within " + timeout + " to:\n" + request, e);
        } catch (IOException e) {
            throw new AssertionError("the connection failed before a complete response to:\n" + request, e);
        }
    }

    private static byte[] head(RawRequest request) {
        var head = new StringBuilder()
                .append(request.method())
                .append(' ')
                .append(request.target())
                .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        request.headers()
                .forEach(h -> head.append(h.getKey())
                        .append(": ")
                        .append(h.getValue())
                        .append("\r\n"));
        if (request.body().length > 0 && !request.framesItsBody()) {
            head.append("Content-Length: ").append(request.body().length).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private RawResponse read(Socket socket, long deadline, RawRequest request) throws IOException {
        InputStream in = socket.getInputStream();
        var received = new ByteArrayOutputStream();
        byte[] buffer = new byte[16_384];
        while (true) {
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                throw new SocketTimeoutException();
            }
            socket.setSoTimeout((int) remainingMillis);
            int n = in.read(buffer);
            if (n > 0) {
                received.write(buffer, 0, n);
            }
            RawResponse response = parse(received.toByteArray(), n < 0);
            if (response != null) {
                return response;
            }
            if (n < 0) {
                throw new AssertionError("the server closed the connection after " + received.size()
                        + " bytes without a complete response to:\n" + request);
            }
        }
    }

    /** The response if {@code bytes} hold a complete one, else null. */
    private static RawResponse parse(byte[] bytes, boolean ended) {
        int headEnd = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (headEnd < 0) {
            return null;
        }
        String[] lines = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(
                            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        int bodyStart = headEnd + 4;
        List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
        List<String> length = headers.getOrDefault("content-length", List.of());
        byte[] body;
        if (encoding.stream().anyMatch(e -> e.equalsIgnoreCase("chunked"))) {
            body = dechunk(bytes, bodyStart);
        } else if (!length.isEmpty()) {
            int n = Integer.parseInt(length.getFirst());
            body = bytes.length - bodyStart >= n ? slice(bytes, bodyStart, bodyStart + n) : null;
        } else {
            body = ended ? slice(bytes, bodyStart, bytes.length) : null;
        }
        return body == null ? null : new RawResponse(status, headers, body);
    }

    /** The body of a chunked message if its last chunk has arrived, else null. */
    private static byte[] dechunk(byte[] bytes, int from) {
        var body = new ByteArrayOutputStream();
        int at = from;
        while (true) {
            int lineEnd = indexOf(bytes, new byte[] {'\r', '\n'}, at);
            if (lineEnd < 0) {
                return null;
            }
            String size = new String(bytes, at, lineEnd - at, StandardCharsets.US_ASCII);
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
            int dataStart = lineEnd + 2;
            if (n == 0) {
                return indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), lineEnd) == lineEnd
                        ? body.toByteArray()
                        : null;
            }
            if (bytes.length < dataStart + n + 2) {
                return null;
            }
            body.write(bytes, dataStart, n);
            at = dataStart + n + 2;
        }
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        byte[] part = new byte[to - from];
        System.arraycopy(bytes, from, part, 0, part.length);
        return part;
    }

    private static int indexOf(byte[] bytes, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= bytes.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
