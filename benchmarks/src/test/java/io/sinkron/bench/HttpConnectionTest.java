package io.sinkron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The benchmark's raw HTTP/1.1 client against a scripted server on 127.0.0.1. */
class HttpConnectionTest {

    private ServerSocket server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    /** Serves {@code answers} in order, one per request, on whatever connection asks next. */
    private HttpConnection serve(String... answers) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        var next = new AtomicInteger();
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> {
                        try (socket) {
                            InputStream in = socket.getInputStream();
                            while (true) {
                                String request = readRequest(in);
                                if (request == null) {
                                    return;
                                }
                                requests.add(request);
                                String answer = answers[next.getAndIncrement()];
                                socket.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                                if (answer.toLowerCase().contains("connection: close")) {
                                    return;
                                }
                            }
                        } catch (IOException e) {
                            // The client went away.
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new HttpConnection("127.0.0.1", server.getLocalPort(), 5_000);
    }

    /** Head and Content-Length body of one request, or null at end of stream. */
    private static String readRequest(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                break;
            }
        }
        if (b < 0) {
            return null;
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void when_answers_have_a_content_length_then_bodies_are_read_on_one_kept_alive_connection() throws Exception {
        try (var c = serve(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"one\"}",
                "HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}")) {
            byte[] get = RequestTemplate.get("/cache/{key}").render(c.authority(), "key", "k1");

            assertThat(c.exchange(get)).isEqualTo(200);
            assertThat(c.body()).isEqualTo("{\"a\":\"one\"}");
            assertThat(c.exchange(get)).isEqualTo(201);
            assertThat(c.body()).isEqualTo("{}");
            assertThat(c.connects()).isEqualTo(1);
            assertThat(requests.getFirst()).startsWith("GET /cache/k1 HTTP/1.1\r\nHost: 127.0.0.1:");
        }
    }

    @Test
    void when_the_body_is_chunked_then_chunks_with_extensions_and_trailers_are_joined() throws Exception {
        try (var c = serve(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n6\r\n:\"two\"\r\n1\r\n}\r\n"
                        + "0\r\nTrailer: x\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n")) {
            byte[] get = RequestTemplate.get("/x").render(c.authority());

            assertThat(c.exchange(get)).isEqualTo(200);
            assertThat(c.body()).isEqualTo("{\"a\":\"two\"}");
            assertThat(c.exchange(get)).isEqualTo(204);
            assertThat(c.body()).isEmpty();
            assertThat(c.connects()).isEqualTo(1);
        }
    }

    @Test
    void when_the_server_closes_the_connection_then_the_next_exchange_reconnects() throws Exception {
        try (var c = serve(
                "HTTP/1.1 409 Conflict\r\nConnection: close\r\nContent-Length: 3\r\n\r\nno!",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) {
            byte[] post = RequestTemplate.post("/locks/{lock}", "{\"client_id\":\"{client}\"}")
                    .render(c.authority(), "lock", "l1", "client", "c1");

            assertThat(c.exchange(post)).isEqualTo(409);
            assertThat(c.body()).isEqualTo("no!");
            assertThat(c.exchange(post)).isEqualTo(200);
            assertThat(c.connects()).isEqualTo(2);
            assertThat(accepted.get()).isEqualTo(2);
            assertThat(requests.getFirst())
                    .contains("Content-Type: application/json\r\nContent-Length: 18\r\n\r\n{\"client_id\":\"c1\"}");
        }
    }

    @Test
    void when_the_answer_is_not_http_then_the_exchange_fails_and_the_connection_is_dropped() throws Exception {
        try (var c = serve("garbage\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")) {
            byte[] get = RequestTemplate.get("/x").render(c.authority());

            assertThatThrownBy(() -> c.exchange(get)).isInstanceOf(IOException.class);
            assertThat(c.exchange(get)).isEqualTo(200);
            assertThat(c.connects()).isEqualTo(2);
        }
    }
}
