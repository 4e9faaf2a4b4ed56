package io.sinkron.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The few HTTP calls the harness makes to members: status pages and Prometheus metrics. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(500))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private Http() {}

    /** The body of a 200 answer, or {@code null} if the member did not give one within a second. */
    static String get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** Like {@link #get}, for a JSON POST. */
    static String post(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static String send(HttpRequest.Builder request) {
        try {
            var response =
                    CLIENT.send(request.timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A scalar field of a flat JSON answer (string or number), or {@code null}. */
    static String jsonField(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"?([^\",}]*)\"?")
                .matcher(json);
        if (!m.find() || m.group(1).equals("null")) {
            return null;
        }
        return m.group(1);
    }

    /**
     * The sum of every sample of a Prometheus metric (all label sets), or 0 when it is absent or
     * the scrape failed.
     */
    static double metricSum(String exposition, String metric) {
        if (exposition == null) {
            return 0;
        }
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(metric + " ") || line.startsWith(metric + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
