package io.sinkron.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk, the C load generator the JVM one is calibrated against: {@code connections} keep-alive
 * connections over {@code threads} threads for {@code seconds}, one request (a POST through a
 * short Lua script). Its own output is parsed: requests per second, latency percentiles, errors.
 */
final class Wrk {

    record Result(double throughput, double p50Millis, double p99Millis, long errors, String output) {}

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE =
            Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private Wrk() {}

    /** @param body {@code null} for a GET, else a JSON body POSTed */
    static Result run(String wrk, Path dir, String url, String body, int connections, int threads, int seconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                wrk, "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--timeout", "10s", "--latency"));
        if (body != null) {
            Path script = dir.resolve("wrk-post.lua");
            Files.writeString(
                    script,
                    "wrk.method = \"POST\"\nwrk.body = '" + body + "'\n"
                            + "wrk.headers[\"Content-Type\"] = \"application/json\"\n",
                    StandardCharsets.UTF_8);
            command.add("-s");
            command.add(script.toString());
        }
        command.add(url);
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("wrk did not finish");
        }
        Matcher rate = RATE.matcher(output);
        if (!rate.find()) {
            throw new IllegalStateException("no rate in wrk's output:\n" + output);
        }
        double p50 = 0;
        double p99 = 0;
        Matcher m = PERCENTILE.matcher(output);
        while (m.find()) {
            double value = Double.parseDouble(m.group(2))
                    * switch (m.group(3)) {
                        case "us" -> 0.001;
                        case "ms" -> 1;
                        default -> 1000;
                    };
            if (m.group(1).equals("50")) {
                p50 = value;
            } else {
                p99 = value;
            }
        }
        long errors = 0;
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        return new Result(Double.parseDouble(rate.group(1)), p50, p99, errors, output);
    }

    static String version(String wrk) {
        try {
            var process =
                    new ProcessBuilder(wrk, "-v").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(5, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("unknown").strip();
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
