package io.sinkron.bench;

import io.sinkron.testkit.ReservedPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} on a free 127.0.0.1 port, the non-replicated in-memory upper bound the
 * cache is compared with: no replica, no RDB snapshots ({@code --save ""}), no append-only file
 * ({@code --appendonly no}), so nothing it acknowledges is on disk or on a second machine. Its
 * working directory is a fresh one of the run's, where its log (stdout) goes too.
 */
final class RedisServer implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final String redisServer;
    private final int port;
    private Process process;

    RedisServer(Path dir, String redisServer) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.redisServer = redisServer;
        this.port = ReservedPorts.take(1)[0];
    }

    RedisServer start() throws IOException {
        var builder = new ProcessBuilder(List.of(
                redisServer,
                "--bind",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toAbsolutePath().toString(),
                "--daemonize",
                "no"));
        builder.redirectErrorStream(true);
        builder.redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()));
        process = builder.start();
        return this;
    }

    /** Waits until the server answers {@code PING}; fails if it exits or does not answer in time. */
    void awaitReady(Duration timeout) throws InterruptedException {
        byte[] ping = RespConnection.command("PING");
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "redis-server exited with " + process.exitValue() + "; log in " + dir.resolve("redis.log"));
            }
            try (var c = new RespConnection("127.0.0.1", port, 1_000)) {
                if (c.exchange(ping) == RespConnection.SIMPLE && "PONG".equals(c.text())) {
                    return;
                }
                last = c.text();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("redis-server did not answer PING within " + timeout + " (" + last
                + "); log in " + dir.resolve("redis.log"));
    }

    /** {@code 127.0.0.1:port}. */
    String endpoint() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** The first line of {@code redis-server --version}. */
    static String version(String redisServer) throws IOException, InterruptedException {
        var p = new ProcessBuilder(redisServer, "--version")
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return text.lines().findFirst().orElse("unknown");
    }

    /** SIGTERM (with nothing to save it exits at once), SIGKILL if it has not within 10 s. */
    @Override
    public void close() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
