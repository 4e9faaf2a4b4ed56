package io.sinkron.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Asks a process over HTTP how it is; a process that does not answer in time is simply not ready. */
final class HttpProbe {

    /** A response, or none when the process could not be reached. */
    record Answer(int status, String body) {

        boolean ok() {
            return status == 200;
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    Optional<Answer> get(URI uri) {
        var request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return Optional.of(new Answer(response.statusCode(), response.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    boolean ready(LocalTopology.Component component) {
        return get(component.readiness()).map(Answer::ok).orElse(false);
    }
}
