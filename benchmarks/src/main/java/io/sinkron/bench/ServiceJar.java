package io.sinkron.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service jar of an A/B run and the environment it runs with, written {@code
 * JAR[@NAME=VALUE[+NAME=VALUE...]]}: the same jar may appear twice with different settings.
 */
record ServiceJar(Path jar, Map<String, String> environment) {

    /** A comma-separated list of {@link #parse}d variants. */
    static List<ServiceJar> list(String text) {
        return Arrays.stream(text.split(","))
                .filter(s -> !s.isBlank())
                .map(ServiceJar::parse)
                .toList();
    }

    static ServiceJar parse(String text) {
        int at = text.indexOf('@');
        if (at < 0) {
            return new ServiceJar(Path.of(text), Map.of());
        }
        Map<String, String> environment = new LinkedHashMap<>();
        for (String pair : text.substring(at + 1).split("\\+")) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("not NAME=VALUE: " + pair);
            }
            environment.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return new ServiceJar(Path.of(text.substring(0, at)), environment);
    }

    /** This variant's environment with {@code extra} added (the variant's own settings win). */
    Map<String, String> environment(Map<String, String> extra) {
        var all = new LinkedHashMap<>(extra);
        all.putAll(environment);
        return all;
    }
}
