package io.sinkron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's raw RESP2 client against a tiny RESP server on 127.0.0.1, and against Redis. */
class RespConnectionTest {

    private ServerSocket server;
    private final List<List<String>> commands = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    /** What the server writes, and whether it closes the connection after. */
    private record Reply(byte[] bytes, boolean close) {

        static Reply of(String text) {
            return new Reply(text.getBytes(StandardCharsets.UTF_8), false);
        }
    }

    /** Serves every connection: each command read is recorded and answered with {@code answer.apply(command)}. */
    private int serve(Function<List<String>, Reply> answer) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> {
                        try (socket) {
                            InputStream in = socket.getInputStream();
                            OutputStream out = socket.getOutputStream();
                            for (List<String> command = readCommand(in); command != null; command = readCommand(in)) {
                                commands.add(command);
                                Reply reply = answer.apply(command);
                                out.write(reply.bytes());
                                out.flush();
                                if (reply.close()) {
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
        return server.getLocalPort();
    }

    /** Answers the commands in order with {@code replies}, one each, on whatever connection asks. */
    private RespConnection scripted(String... replies) throws IOException {
        var next = new AtomicInteger();
        int port = serve(command -> Reply.of(replies[next.getAndIncrement()]));
        return new RespConnection("127.0.0.1", port, 5_000);
    }

    /** A command as clients send it, an array of bulk strings; null at end of stream. */
    private static List<String> readCommand(InputStream in) throws IOException {
        String header = readLine(in);
        if (header == null) {
            return null;
        }
        if (!header.startsWith("*")) {
            throw new IOException("not an array: " + header);
        }
        int count = Integer.parseInt(header.substring(1));
        List<String> args = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String length = readLine(in);
            if (length == null || !length.startsWith("$")) {
                throw new IOException("not a bulk string: " + length);
            }
            byte[] arg = in.readNBytes(Integer.parseInt(length.substring(1)));
            in.readNBytes(2);
            args.add(new String(arg, StandardCharsets.UTF_8));
        }
        return args;
    }

    private static String readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
            }
            line.write(b);
            previous = b;
        }
        return null;
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void when_commands_are_encoded_then_they_are_arrays_of_bulk_strings() {
        assertThat(new String(RespConnection.command("SET", "k1", "väl"), StandardCharsets.UTF_8))
                .isEqualTo("*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$4\r\nväl\r\n");
        assertThat(new String(RespConnection.command("PING"), StandardCharsets.US_ASCII))
                .isEqualTo("*1\r\n$4\r\nPING\r\n");
    }

    @Test
    void when_replies_of_every_type_arrive_then_each_is_read_whole_on_one_kept_alive_connection() throws Exception {
        try (var c = scripted(
                "+OK\r\n",
                "$5\r\nhello\r\n",
                "$-1\r\n",
                ":-42\r\n",
                "-ERR wrong type\r\n",
                "*3\r\n$1\r\na\r\n*1\r\n:1\r\n$-1\r\n",
                "$0\r\n\r\n")) {
            assertThat(c.exchange(RespConnection.command("SET", "k", "v"))).isEqualTo(RespConnection.SIMPLE);
            assertThat(c.text()).isEqualTo("OK");
            assertThat(c.exchange(RespConnection.command("GET", "k"))).isEqualTo(RespConnection.BULK);
            assertThat(c.text()).isEqualTo("hello");
            assertThat(c.exchange(RespConnection.command("GET", "missing"))).isEqualTo(RespConnection.BULK);
            assertThat(c.length()).isEqualTo(-1);
            assertThat(c.text()).isNull();
            assertThat(c.exchange(RespConnection.command("DECRBY", "n", "42"))).isEqualTo(RespConnection.INTEGER);
            assertThat(c.text()).isEqualTo("-42");
            assertThat(c.exchange(RespConnection.command("INCR", "k"))).isEqualTo(RespConnection.ERROR);
            assertThat(c.text()).isEqualTo("ERR wrong type");
            assertThat(c.exchange(RespConnection.command("MGET", "a", "b", "c")))
                    .isEqualTo(RespConnection.ARRAY);
            assertThat(c.length()).isEqualTo(-1);
            assertThat(c.exchange(RespConnection.command("GET", "empty"))).isEqualTo(RespConnection.BULK);
            assertThat(c.text()).isEmpty();

            assertThat(c.connects()).isEqualTo(1);
            assertThat(commands.getFirst()).containsExactly("SET", "k", "v");
            assertThat(commands).hasSize(7);
        }
    }

    @Test
    void when_a_bulk_string_is_larger_than_the_buffer_and_holds_crlf_then_it_is_read_intact() throws Exception {
        String big = "x\r\n".repeat(30_000) + "end";
        try (var c = scripted("$" + big.length() + "\r\n" + big + "\r\n", "+PONG\r\n")) {
            assertThat(c.exchange(RespConnection.command("GET", "big"))).isEqualTo(RespConnection.BULK);
            assertThat(c.text()).isEqualTo(big);
            assertThat(c.exchange(RespConnection.command("PING"))).isEqualTo(RespConnection.SIMPLE);
            assertThat(c.text()).isEqualTo("PONG");
            assertThat(c.connects()).isEqualTo(1);
        }
    }

    @Test
    void when_the_reply_is_not_resp_then_the_exchange_fails_and_the_next_one_reconnects() throws Exception {
        try (var c = scripted("HTTP/1.1 200 OK\r\n", "$3\r\nabcXY", "+OK\r\n")) {
            assertThatThrownBy(() -> c.exchange(RespConnection.command("PING")))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("not a RESP2 reply type");
            assertThatThrownBy(() -> c.exchange(RespConnection.command("GET", "k")))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("CRLF");
            assertThat(c.exchange(RespConnection.command("PING"))).isEqualTo(RespConnection.SIMPLE);
            assertThat(c.connects()).isEqualTo(3);
            assertThat(accepted.get()).isEqualTo(3);
        }
    }

    @Test
    void when_the_server_closes_inside_a_reply_then_the_exchange_fails_with_end_of_stream() throws Exception {
        int port = serve(command -> new Reply("$10\r\nabc".getBytes(StandardCharsets.US_ASCII), true));
        try (var c = new RespConnection("127.0.0.1", port, 5_000)) {
            assertThatThrownBy(() -> c.exchange(RespConnection.command("GET", "k")))
                    .isInstanceOf(EOFException.class);
            assertThatThrownBy(() -> c.exchange(RespConnection.command("GET", "k")))
                    .isInstanceOf(EOFException.class);
            assertThat(c.connects()).isEqualTo(2);
        }
    }

    /** A GET and SET store in a map, enough to drive the benchmark's Redis workloads. */
    private int keyValueServer(Map<String, String> store) throws IOException {
        return serve(command -> {
            String reply = switch (command.getFirst()) {
                case "SET" -> {
                    store.put(command.get(1), command.get(2));
                    yield "+OK\r\n";
                }
                case "GET" -> {
                    String v = store.get(command.get(1));
                    yield v == null ? "$-1\r\n" : "$" + v.length() + "\r\n" + v + "\r\n";
                }
                default -> "-ERR unknown command\r\n";
            };
            return Reply.of(reply);
        });
    }

    private static HttpLoad.Settings briefly(int clients) {
        return new HttpLoad.Settings(
                clients, Duration.ofMillis(100), Duration.ofMillis(500), 1_000_000, Duration.ofSeconds(5), 0, 7);
    }

    @Test
    void when_the_load_sets_and_gets_keys_then_values_are_100_characters_and_every_get_hits() throws Exception {
        Map<String, String> store = new ConcurrentHashMap<>();
        String endpoint = "127.0.0.1:" + keyValueServer(store);

        HttpLoad.Result sets = new HttpLoad(
                        HttpLoad.resp(List.of(endpoint), RedisWorkloads.set("put-", 50)), briefly(4))
                .run(phase -> {});
        assertThat(sets.ops()).isPositive();
        assertThat(sets.errors()).isZero();
        assertThat(store).isNotEmpty().allSatisfy((key, value) -> {
            assertThat(key).matches("put-\\d+");
            assertThat(Integer.parseInt(key.substring(4))).isBetween(0, 49);
            assertThat(value).hasSize(100);
        });

        for (int k = 0; k < 20; k++) {
            store.put("hot-" + k, "v".repeat(100));
        }
        HttpLoad.Result gets = new HttpLoad(
                        HttpLoad.resp(List.of(endpoint), RedisWorkloads.get("hot-", 20)), briefly(4))
                .run(phase -> {});
        assertThat(gets.ops()).isPositive();
        assertThat(gets.errors()).isZero();
        assertThat(commands)
                .filteredOn(command -> command.getFirst().equals("GET"))
                .isNotEmpty()
                .allSatisfy(command -> assertThat(command.get(1)).matches("hot-(1?\\d)"));
    }

    @Test
    void when_a_get_misses_then_the_load_counts_an_error_not_a_hit() throws Exception {
        String endpoint = "127.0.0.1:" + keyValueServer(new ConcurrentHashMap<>());

        HttpLoad.Result gets = new HttpLoad(
                        HttpLoad.resp(List.of(endpoint), RedisWorkloads.get("absent-", 10)), briefly(2))
                .run(phase -> {});

        assertThat(gets.ops()).isZero();
        assertThat(gets.errors()).isPositive();
    }

    @Test
    void when_redis_server_is_installed_then_it_starts_without_persistence_and_answers_set_and_get(@TempDir Path dir)
            throws Exception {
        String redisServer = "/usr/bin/redis-server";
        assumeTrue(Files.isExecutable(Path.of(redisServer)), "redis-server is not installed");
        long pid;
        try (var redis = new RedisServer(dir, redisServer).start()) {
            redis.awaitReady(Duration.ofSeconds(30));
            pid = redis.pid();
            String[] hostPort = redis.endpoint().split(":");
            try (var c = new RespConnection(hostPort[0], Integer.parseInt(hostPort[1]), 5_000)) {
                assertThat(c.exchange(RedisWorkloads.set("k1", "v".repeat(100))))
                        .isEqualTo(RespConnection.SIMPLE);
                assertThat(c.text()).isEqualTo("OK");
                assertThat(c.exchange(RespConnection.command("GET", "k1"))).isEqualTo(RespConnection.BULK);
                assertThat(c.text()).isEqualTo("v".repeat(100));
                assertThat(c.exchange(RespConnection.command("INFO", "persistence")))
                        .isEqualTo(RespConnection.BULK);
                assertThat(c.text()).contains("aof_enabled:0");
            }
        }
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        // With a save point Redis writes dump.rdb when SIGTERM stops it; with --save "" it must not.
        assertThat(dir.resolve("dump.rdb")).doesNotExist();
        assertThat(dir.resolve("appendonlydir")).doesNotExist();
    }
}
