package io.sinkron.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/** The dashboards in grafana/dashboards and the PromQL queries of their panels. */
final class GrafanaDashboards {

    static final Path DIR = Repository.path("grafana/dashboards");

    /**
     * One panel query. {@code executableExpr} replaces Grafana's variables with what Grafana
     * would put there, so Prometheus can run it.
     */
    record Query(String dashboard, String panel, String expr) {
        String executableExpr() {
            return expr.replace("$__rate_interval", "1m");
        }
    }

    private GrafanaDashboards() {}

    static List<Path> files() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Tree load(Path file) {
        return Tree.of(
                JsonMapper.builder().build().readValue(file.toFile(), Object.class),
                file.getFileName().toString());
    }

    /** The panels that show data (rows only group them). */
    static List<Tree> panels(Tree dashboard) {
        return dashboard.get("panels").list().stream()
                .filter(p -> !p.string("type").equals("row"))
                .toList();
    }

    static List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (Path file : files()) {
            Tree dashboard = load(file);
            for (Tree panel : panels(dashboard)) {
                for (Tree target : panel.get("targets").list()) {
                    queries.add(new Query(dashboard.string("title"), panel.string("title"), target.string("expr")));
                }
            }
        }
        return queries;
    }
}
