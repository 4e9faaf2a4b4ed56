package io.sinkron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The multiplexed load loop against a scripted HTTP server on 127.0.0.1 that answers in pieces,
 * chunked, with {@code Connection: close}, or not at all.
 */
class HttpLoadTest {

    private ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    /** The request lines each connection received, in order, by connection number. */
    private final Map<Integer, List<String>> byConnection = new ConcurrentHashMap<>();

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private String serve() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    int connection = accepted.incrementAndGet();
                    List<String> lines = new CopyOnWriteArrayList<>();
                    byConnection.put(connection, lines);
                    Thread.ofVirtual().start(() -> answer(socket, lines));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return "127.0.0.1:" + server.getLocalPort();
    }

    private static void answer(Socket socket, List<String> lines) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String line = readRequestLine(in);
                if (line == null) {
                    return;
                }
                lines.add(line);
                String path = line.split(" ")[1];
                switch (path) {
                    case "/pieces" -> {
                        // One byte per write: the client sees the answer arrive in many reads.
                        for (byte b : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                                .getBytes(StandardCharsets.US_ASCII)) {
                            out.write(b);
                            out.flush();
                        }
                    }
                    case "/chunked" -> {
                        out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        out.write("c\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    case "/close" -> {
                        out.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        return;
                    }
                    case "/silent" -> {
                        // Never answers; the client's timeout must give up on it.
                    }
                    default -> {
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
            }
        } catch (IOException e) {
            // The client closed the connection.
        }
    }

    /** Reads one request (and its Content-Length body) and returns its request line, or null at end of stream. */
    private static String readRequestLine(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String text = head.toString(StandardCharsets.US_ASCII);
            if (text.endsWith("\r\n\r\n")) {
                String[] lines = text.split("\r\n");
                for (String line : lines) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        in.readNBytes(Integer.parseInt(
                                line.substring("content-length:".length()).trim()));
                    }
                }
                return lines[0];
            }
        }
        return null;
    }

    private static HttpLoad.Settings briefly(int clients, Duration opTimeout) {
        return new HttpLoad.Settings(
                clients, Duration.ofMillis(100), Duration.ofMillis(600), 1_000_000, opTimeout, 0, 3);
    }

    private static HttpWorkload get(String path) {
        return (client, authority, random, setup) ->
                HttpWorkload.single(RequestTemplate.get(path).render(authority), 200);
    }

    @Test
    void when_answers_arrive_byte_by_byte_or_chunked_then_every_operation_completes_on_kept_alive_connections()
            throws Exception {
        String endpoint = serve();

        HttpLoad.Result pieces =
                new HttpLoad(List.of(endpoint), get("/pieces"), briefly(8, Duration.ofSeconds(5))).run(phase -> {});
        HttpLoad.Result chunked =
                new HttpLoad(List.of(endpoint), get("/chunked"), briefly(8, Duration.ofSeconds(5))).run(phase -> {});

        assertThat(pieces.ops()).isPositive();
        assertThat(pieces.errors()).isZero();
        assertThat(chunked.ops()).isPositive();
        assertThat(chunked.errors()).isZero();
        assertThat(accepted.get()).as("one connection per client per load").isEqualTo(16);
    }

    @Test
    void when_the_server_closes_after_each_answer_then_the_client_reconnects_and_counts_no_error() throws Exception {
        String endpoint = serve();

        HttpLoad.Result r =
                new HttpLoad(List.of(endpoint), get("/close"), briefly(4, Duration.ofSeconds(5))).run(phase -> {});

        assertThat(r.ops()).isPositive();
        assertThat(r.errors()).isZero();
        assertThat(accepted.get()).isGreaterThan(4);
    }

    @Test
    void when_an_operation_has_two_requests_then_they_go_in_order_on_the_clients_own_connection() throws Exception {
        String endpoint = serve();
        HttpWorkload cycle = (client, authority, random, setup) -> ServiceWorkloads.sequence(
                RequestTemplate.post("/acquire/" + client, "{}").render(authority),
                200,
                RequestTemplate.delete("/release/" + client).render(authority),
                200);

        HttpLoad.Result r = new HttpLoad(List.of(endpoint), cycle, briefly(6, Duration.ofSeconds(5))).run(phase -> {});

        assertThat(r.ops()).isPositive();
        assertThat(r.errors()).isZero();
        assertThat(byConnection).hasSize(6);
        byConnection.values().forEach(lines -> {
            String client = lines.getFirst().split(" ")[1].substring("/acquire/".length());
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                assertThat(lines.get(i)).startsWith("POST /acquire/" + client + " ");
                assertThat(lines.get(i + 1)).startsWith("DELETE /release/" + client + " ");
            }
        });
    }

    @Test
    void when_the_server_never_answers_then_requests_time_out_as_errors_and_the_load_still_ends() throws Exception {
        String endpoint = serve();

        HttpLoad.Result r =
                new HttpLoad(List.of(endpoint), get("/silent"), briefly(3, Duration.ofMillis(150))).run(phase -> {});

        assertThat(r.ops()).isZero();
        assertThat(r.errors()).isPositive();
        assertThat(r.firstError()).contains("no answer within 150 ms");
        assertThat(accepted.get()).as("a timed-out connection is replaced").isGreaterThan(3);
    }

    @Test
    void when_the_load_is_open_then_it_offers_no_more_than_its_rate() throws Exception {
        String endpoint = serve();
        double rate = 400;

        HttpLoad.Result r = new HttpLoad(
                        List.of(endpoint),
                        get("/fast"),
                        briefly(8, Duration.ofSeconds(5)).open(8, rate))
                .run(phase -> {});

        assertThat(r.errors()).isZero();
        assertThat(r.ops()).isPositive();
        // The measured window may catch one extra operation per client at each edge.
        assertThat(r.ops()).isLessThanOrEqualTo((long) (rate * r.seconds()) + 16);
    }
}
