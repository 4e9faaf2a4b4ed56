package io.sinkron.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The Helm chart in helm/sinkron, linted and rendered by Helm itself (helm-java). */
final class Chart {

    static final Path DIR = Repository.path("helm/sinkron");
    static final String RELEASE = "demo";
    static final String NAMESPACE = "prod";

    private Chart() {}

    /** Every ci/*-values.yaml, the chart's test scenarios. */
    static List<Path> ciValues() {
        try (Stream<Path> files = Files.list(DIR.resolve("ci"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-values.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** helm template with the default values, plus the given values file if not null. */
    static Manifests render(Path valuesFile) {
        var template = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        return new Manifests(template.call());
    }

    /**
     * Renders the chart's test hook pod, as {@code helm test} would create it. helm-java's template
     * returns the release manifest without hooks (the helm CLI appends them), so this renders a
     * copy of the chart whose test pod has its hook annotations removed and returns that pod.
     */
    static Tree renderTestPod(Path valuesFile, Path scratch) {
        Path copy = scratch.resolve("sinkron");
        copyResolvingLinks(DIR, copy);
        Path template = copy.resolve("templates/tests/test-cluster.yaml");
        String original = Yamls.read(template);
        String unhooked = original.replaceAll("(?m)^\\s*helm\\.sh/hook(-delete-policy)?:.*\\n", "");
        if (unhooked.equals(original)) {
            throw new AssertionError(template + " has no helm.sh/hook annotation");
        }
        write(template, unhooked);
        var render = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            render = render.withValuesFile(valuesFile);
        }
        return new Manifests(render.call()).get("Pod", RELEASE + "-sinkron-test");
    }

    /** The NOTES.txt shown after install, from a client-only dry-run install. */
    static String installNotes(Path valuesFile) {
        var install = new Helm(DIR)
                .install()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .dryRun()
                .clientOnly();
        if (valuesFile != null) {
            install = install.withValuesFile(valuesFile);
        }
        String output = install.call().getOutput();
        int notes = output.indexOf("NOTES:");
        if (notes < 0) {
            throw new AssertionError("no NOTES in:\n" + output);
        }
        return output.substring(notes);
    }

    /**
     * helm lint --strict as if given the values file (null: the defaults). helm-java's lint takes
     * no values file, so the chart is copied with the values merged into its values.yaml, the
     * way Helm merges a -f file over the defaults.
     */
    static LintResult lint(Path valuesFile, Path scratch) {
        if (valuesFile == null) {
            return new Helm(DIR).lint().strict().call();
        }
        Path copy = scratch.resolve("sinkron");
        copyResolvingLinks(DIR, copy);
        Map<String, Object> merged = merge(
                Yamls.load(DIR.resolve("values.yaml")).map(),
                Yamls.load(valuesFile).map());
        write(copy.resolve("values.yaml"), Yamls.dump(merged));
        return new Helm(copy).lint().strict().call();
    }

    /** Helm's coalescing: maps merge key by key, anything else in the override replaces. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            if (value instanceof Map<?, ?> overrideMap && merged.get(key) instanceof Map<?, ?> baseMap) {
                merged.put(key, merge((Map<String, Object>) baseMap, (Map<String, Object>) overrideMap));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    /** Copies the chart; its dashboards/ and files/alerts.yml are links out of the chart. */
    private static void copyResolvingLinks(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from, FileVisitOption.FOLLOW_LINKS)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
