package io.sinkron.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/** YAML in and out with SnakeYAML, which, unlike Jackson, resolves the merge keys ({@code <<}) compose files use. */
final class Yamls {

    private Yamls() {}

    static Tree load(Path file) {
        return Tree.of(
                parser().load(read(file)),
                Repository.ROOT.relativize(file.toAbsolutePath()).toString());
    }

    /** One document given as text, such as a tool's output; {@code origin} names it in assertion messages. */
    static Tree parse(String yaml, String origin) {
        return Tree.of(parser().load(yaml), origin);
    }

    /** Every non-empty document of a multi-document stream, such as helm template's output. */
    static List<Object> loadAll(String yaml) {
        List<Object> documents = new ArrayList<>();
        for (Object document : parser().loadAll(yaml)) {
            if (document != null) {
                documents.add(document);
            }
        }
        return documents;
    }

    static String dump(Map<String, Object> value) {
        var options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(new Representer(options), options).dump(value);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Yaml parser() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }
}
