package io.sinkron.deploy;

import java.util.List;
import java.util.Optional;

/** The Kubernetes objects of one helm template run, parsed. */
final class Manifests {

    private final String yaml;
    private final List<Tree> objects;

    Manifests(String yaml) {
        this.yaml = yaml;
        this.objects = Yamls.loadAll(yaml).stream()
                .map(o -> {
                    Tree t = Tree.of(o, "?");
                    return Tree.of(
                            o, t.string("kind") + "/" + t.at("metadata.name").string());
                })
                .toList();
    }

    List<Tree> all() {
        return objects;
    }

    List<Tree> ofKind(String kind) {
        return objects.stream().filter(o -> o.string("kind").equals(kind)).toList();
    }

    Optional<Tree> find(String kind, String name) {
        return ofKind(kind).stream()
                .filter(o -> o.at("metadata.name").string().equals(name))
                .findFirst();
    }

    Tree get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in:\n" + yaml));
    }

    /** The one object of a kind, e.g. the consensus StatefulSet. */
    Tree only(String kind) {
        List<Tree> found = ofKind(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + found.size());
        }
        return found.getFirst();
    }

    @Override
    public String toString() {
        return yaml;
    }
}
